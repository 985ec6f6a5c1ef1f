// `status`, help (`-h`, `<command> -h`, the man page behind `git kagi --help`), usage errors and
// the exit-code table of DESIGN §6, and `git kagi …` run through git itself.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  git,
  kagi,
  makePerson,
  makeRepo,
  makeTempDir,
  must,
  readAccess,
  readCachedKey,
} from './harness.js';

afterAll(cleanup);

const MAN_PAGE = fileURLToPath(new URL('../../dist/man/git-kagi.1', import.meta.url));
const COMMANDS = [
  'init',
  'set',
  'get',
  'unset',
  'run',
  'import',
  'export',
  'sync',
  'status',
  'env add',
  'env rename',
  'env del',
  'env list',
];
const hasMan = spawnSync('man', ['--version'], { encoding: 'utf8' }).status === 0;

describe('status', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  const projectId = must(kagi(alice, repo, ['init', '--nested', 'apps/api'])).stdout.trim();
  const memberId = readAccess(repo).members[0]?.id as string;
  const nested = path.join(repo, 'apps', 'api', 'src');
  mkdirSync(nested, { recursive: true });

  it('shows the project, the scope of the folder, the member and the key source', () => {
    const r = kagi(alice, repo, ['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^project: +${projectId} `, 'm'));
    expect(r.stdout).toMatch(/^scope here: +development$/m);
    expect(r.stdout).toMatch(new RegExp(`^member: +${memberId} \\(active\\)$`, 'm'));
    expect(r.stdout).toMatch(/^key source: +device$/m);
    expect(r.stderr).toBe('');
  });

  it('infers the service scope inside a nested service folder', () => {
    const r = kagi(alice, nested, ['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^scope here: +api\/development$/m);
  });

  it('--json gives the same facts for scripts', () => {
    const s = JSON.parse(kagi(alice, nested, ['status', '--json']).stdout);
    expect(s).toMatchObject({
      project_id: projectId,
      scope: 'api/development',
      device: { member_id: memberId, member_status: 'active' },
      key: { source: 'device', access: true },
    });
  });

  it('names KAGI_PROJECT_KEY as the key source on a machine without identity', () => {
    const key = readCachedKey(alice, projectId);
    const ci = makePerson('ci');
    const r = kagi(ci, repo, ['status'], '', { KAGI_PROJECT_KEY: key });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^key source: +KAGI_PROJECT_KEY$/m);
    expect(r.stdout).toMatch(/^member: +not a member$/m);
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('says why a device that is not a member has no access, with exit 3', () => {
    const bob = makePerson('bob');
    kagi(bob, makeRepo(bob), ['init']);
    const r = kagi(bob, repo, ['status']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^member: +not a member$/m);
    expect(r.stdout).toMatch(/^key source: +none — .*not a member/m);
  });

  it('fails outside a git repository, and in a repository without a project', () => {
    const outside = kagi(alice, makeTempDir(), ['status']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^error: not inside a git repository$/m);
    const bare = kagi(alice, makeRepo(alice), ['status']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^error: no git-kagi project in /m);
    expect(bare.stderr).toMatch(/^hint: .*git kagi init/m);
  });
});

describe('help', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);

  it('-h and no arguments list every command on stdout', () => {
    for (const args of [['-h'], ['--help'], []]) {
      const r = kagi(alice, repo, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
      for (const command of COMMANDS) expect(r.stdout).toContain(`git kagi ${command}`);
    }
  });

  it.each(COMMANDS)('`%s -h` prints its usage with examples, outside any project', (command) => {
    const r = kagi(alice, repo, [...command.split(' '), '-h']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`$ git kagi ${command}`);
    expect(r.stdout).toMatch(/Examples/);
  });

  it('prints no colour codes into a pipe, whatever TERM says', () => {
    const r = kagi(alice, repo, ['set', '-h'], '', { TERM: 'xterm-256color', FORCE_COLOR: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--version prints the version', () => {
    const r = kagi(alice, repo, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.runIf(hasMan)('the man page renders with every command and the exit codes', () => {
    const r = spawnSync('man', ['-l', MAN_PAGE], {
      encoding: 'utf8',
      env: { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const text = r.stdout.replace(/.\u0008/g, '');
    expect(text).toMatch(/^NAME/m);
    for (const command of COMMANDS) expect(text).toContain(`git kagi ${command}`);
    expect(text).toMatch(/EXIT STATUS/);
    expect(text).toMatch(/KAGI_PROJECT_KEY/);
  });

  it.runIf(hasMan)('`git kagi --help` shows the man page once it is installed', () => {
    const manpath = makeTempDir('kagi-man-');
    mkdirSync(path.join(manpath, 'man1'));
    symlinkSync(MAN_PAGE, path.join(manpath, 'man1', 'git-kagi.1'));
    const r = spawnSync('git', ['kagi', '--help'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...alice.env, MANPATH: manpath, MANPAGER: 'cat', PAGER: 'cat' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/.\u0008/g, '')).toMatch(/GIT-KAGI\(1\)/);
  });
});

describe('usage errors and exit codes', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--nested', 'apps/api']));
  must(kagi(alice, repo, ['set', 'api', 'KEY', 'value-for-exit-codes']));

  it.each([
    ['an unknown command', ['bogus']],
    ['an unknown option', ['get', '--bogus']],
    ['a missing required option', ['import', 'api']],
    ['a missing argument', ['env', 'add']],
    ['too many arguments', ['unset', 'api', 'KEY', 'EXTRA']],
    ['a missing key name', ['set', 'api', 'development']],
  ])('%s exits 2 with error: and hint: on stderr, nothing on stdout', (_what, args) => {
    const r = kagi(alice, repo, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe('');
  });

  it('exit 4 when a store was tampered with, naming the file and no value', () => {
    const tampered = makeRepo(alice);
    kagi(alice, tampered, ['init', '--nested', 'apps/api']);
    kagi(alice, tampered, ['set', 'api', 'KEY', 'value-for-exit-codes']);
    const store = path.join(tampered, '.kagi', 'secrets', 'api', 'development.enc');
    const lines = readFileSync(store, 'utf8').split('\n');
    const line = lines[1] as string;
    const at = line.length - 5;
    lines[1] = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
    writeFileSync(store, lines.join('\n'));
    for (const args of [
      ['get', 'api'],
      ['run', 'api', '--', 'true'],
    ]) {
      const r = kagi(alice, tampered, args);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toMatch(/^error: .*\.kagi\/secrets\/api\/development\.enc/m);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain('value-for-exit-codes');
    }
  });

  it('0 on success, 1 on a failure, 3 without access, 127 for a missing program', () => {
    expect(kagi(alice, repo, ['get']).code).toBe(0);
    expect(kagi(alice, repo, ['unset', 'api', 'MISSING']).code).toBe(1);
    expect(kagi(makePerson('eve'), repo, ['get']).code).toBe(3);
    expect(kagi(alice, repo, ['run', '--', 'no-such-program-kagi']).code).toBe(127);
  });
});

describe('through git', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);

  it('`git kagi …` finds git-kagi on PATH and behaves the same', () => {
    expect(git(alice, repo, ['kagi', 'init']).code).toBe(0);
    const set = git(alice, repo, ['kagi', 'set', 'FROM_GIT', 'through-git'], true);
    expect(set.code).toBe(0);
    const run = git(alice, repo, ['kagi', 'run', '--', 'printenv', 'FROM_GIT']);
    expect(run.stdout).toBe('through-git\n');
    const status = git(alice, repo, ['kagi', 'status']);
    expect(status.stdout).toMatch(/^key source: +device$/m);
    expect(git(alice, repo, ['kagi', '-h']).stdout).toContain('git kagi run');
  });

  it('passes exit codes through git', () => {
    expect(git(alice, repo, ['kagi', 'run', '--', 'sh', '-c', 'exit 9'], true).code).toBe(9);
    expect(git(alice, repo, ['kagi', 'bogus'], true).code).toBe(2);
  });
});
