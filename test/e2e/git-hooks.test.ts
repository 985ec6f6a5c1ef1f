// The hooks of DESIGN §5 as git runs them: what init and a fresh clone install (plain hooks,
// core.hooksPath, worktrees, chained user hooks, husky 9, lefthook), pre-commit, post-checkout/merge.
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatStore, parseStore, type StoreLine } from '../../src/core/store.js';
import {
  cleanup,
  git,
  kagi,
  kagiOk,
  kagiUnderStrace,
  makePerson,
  makeRepo,
  makeTempDir,
  type Person,
  type Result,
  readAccess,
} from './harness.js';
import { cloneShared, commitAndPush, makeSharedRepo, requestAccess } from './team.js';

afterAll(() => cleanup());

const HUSKY = fileURLToPath(new URL('../../node_modules/husky/bin.js', import.meta.url));
const HOOKS = ['pre-commit', 'post-checkout', 'post-merge'];
const BLOCK_START = '# >>> git-kagi: keeps .kagi/ consistent and secret values out of commits';
const DRIVERS: Record<string, string> = {
  'merge.kagi-access.name': 'git-kagi access.json merge',
  'merge.kagi-access.driver': 'git kagi merge-driver access %O %A %B %P',
  'merge.kagi-store.name': 'git-kagi store merge',
  'merge.kagi-store.driver': 'git kagi merge-driver store %O %A %B %P',
  'diff.kagi.textconv': 'git kagi textconv',
};
const SETUP_NOTICE = /set up the merge drivers, diff driver and hooks of this clone/;
const noticeLines = (r: Result) => r.stderr.split('\n').filter((l) => SETUP_NOTICE.test(l));

function write(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

function head(person: Person, dir: string): string {
  return git(person, dir, ['rev-parse', 'HEAD']).stdout.trim();
}

function hooksDir(person: Person, dir: string): string {
  return path.resolve(dir, git(person, dir, ['rev-parse', '--git-path', 'hooks']).stdout.trim());
}

/** The kagi driver keys of the clone's local config, as key → value. */
function localDriverConfig(person: Person, dir: string): Record<string, string> {
  const out = git(person, dir, ['config', '--local', '--get-regexp', 'kagi'], true).stdout;
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]),
  );
}

function expectBlockedCommit(person: Person, dir: string, args: string[] = []): Result {
  const before = head(person, dir);
  const r = git(person, dir, ['commit', '-q', '-m', 'should be blocked', ...args], true);
  expect(r.code, r.stdout + r.stderr).not.toBe(0);
  expect(head(person, dir)).toBe(before);
  return r;
}

function expectCommit(person: Person, dir: string, args: string[] = []): Result {
  const before = head(person, dir);
  const r = git(person, dir, ['commit', '-q', '-m', 'should pass', ...args], true);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(head(person, dir)).not.toBe(before);
  return r;
}

function initProject(person: Person, dir: string): Result {
  return kagiOk(person, dir, ['init', '--name', person.name]);
}

function commitProject(person: Person, dir: string, extra: string[] = []): void {
  git(person, dir, ['add', '--', '.kagi', '.gitattributes', '.gitignore', ...extra]);
  git(person, dir, ['commit', '-q', '-m', 'git-kagi']);
}

describe('install', () => {
  it('init writes the .gitattributes block, the local driver config and the three hooks', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    initProject(alice, dir);
    const attributes = readFileSync(path.join(dir, '.gitattributes'), 'utf8');
    expect(attributes).toContain('.kagi/access.json merge=kagi-access\n');
    expect(attributes).toContain('.kagi/secrets/** merge=kagi-store diff=kagi\n');
    // git itself reads them so: the attributes apply to the store paths.
    const check = git(alice, dir, [
      'check-attr',
      'merge',
      'diff',
      '--',
      '.kagi/access.json',
      '.kagi/secrets/api/development.enc',
    ]).stdout;
    expect(check).toContain('.kagi/access.json: merge: kagi-access');
    expect(check).toContain('.kagi/secrets/api/development.enc: merge: kagi-store');
    expect(check).toContain('.kagi/secrets/api/development.enc: diff: kagi');

    expect(localDriverConfig(alice, dir)).toEqual(DRIVERS);
    const all = git(alice, dir, ['config', '--list', '--show-origin']).stdout;
    expect(all).not.toMatch(/cachetextconv/i);

    const hooks = hooksDir(alice, dir);
    expect(hooks).toBe(path.join(dir, '.git', 'hooks'));
    for (const hook of HOOKS) {
      const file = path.join(hooks, hook);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(text).toContain(BLOCK_START);
      expect(text).toContain(`git-kagi hook ${hook} "$@"`);
      expect(text).toMatch(/not found on PATH/); // says what to do without git-kagi
      expect(statSync(file).mode & 0o111).toBe(0o111);
    }
  });

  it('when git-kagi is not on PATH (a GUI client), the hook says so and how to fix it', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    initProject(alice, dir);
    const bare = makeTempDir('kagi-path-'); // git alone: no git-kagi anywhere on PATH
    symlinkSync(
      spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim(),
      path.join(bare, 'git'),
    );
    const gui = { ...alice, env: { ...alice.env, PATH: bare } };
    git(gui, dir, ['add', '--', '.kagi', '.gitattributes', '.gitignore']);
    const r = git(gui, dir, ['commit', '-q', '-m', 'from a GUI']);
    expect(r.stderr).toContain(
      'git-kagi: not found on PATH, so the pre-commit checks of .kagi/ did not run.',
    );
    expect(r.stderr).toMatch(
      /install it \(npm install -g git-kagi\) or remove this block: git kagi hooks uninstall/,
    );
  });

  it('honours core.hooksPath: hooks go to that folder and run from there', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    git(alice, dir, ['config', 'core.hooksPath', 'tools/git-hooks']);
    initProject(alice, dir);
    for (const hook of HOOKS) {
      expect(readFileSync(path.join(dir, 'tools', 'git-hooks', hook), 'utf8')).toContain(
        BLOCK_START,
      );
      expect(existsSync(path.join(dir, '.git', 'hooks', hook))).toBe(false);
    }
    commitProject(alice, dir);
    write(dir, '.env', 'PASSWORD=hunter2-hunter2\n');
    git(alice, dir, ['add', '-f', '.env']);
    expect(expectBlockedCommit(alice, dir).stderr).toContain('.env is a plaintext env file');
  });

  it('works from a linked worktree: the shared hooks run there, nothing is installed twice', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    initProject(alice, dir);
    commitProject(alice, dir);
    const wt = path.join(makeTempDir('kagi-wt-'), 'wt');
    git(alice, dir, ['worktree', 'add', '-q', '-b', 'side', wt]);
    expect(hooksDir(alice, wt)).toBe(path.join(dir, '.git', 'hooks'));
    const get = kagi(alice, wt, ['get', '--json']);
    expect(get.code, get.stderr).toBe(0);
    expect(noticeLines(get)).toEqual([]);
    write(wt, 'config/prod.env', 'PASSWORD=hunter2-hunter2\n');
    git(alice, wt, ['add', 'config/prod.env']);
    expect(expectBlockedCommit(alice, wt).stderr).toContain('config/prod.env');
  });

  it('a fresh clone’s first command installs the same, with a one-line notice, once', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    initProject(alice, dir);
    commitProject(alice, dir);
    const bob = makePerson('bob');
    const clone = path.join(makeTempDir('kagi-clone-'), 'bob');
    git(bob, path.dirname(clone), ['clone', '-q', dir, clone]);
    expect(localDriverConfig(bob, clone)).toEqual({});
    expect(existsSync(path.join(clone, '.git', 'hooks', 'pre-commit'))).toBe(false);

    const first = kagi(bob, clone, ['get']); // bob is no member: get fails, the setup is done
    expect(noticeLines(first)).toHaveLength(1);
    expect(localDriverConfig(bob, clone)).toEqual(DRIVERS);
    const hookTexts = () =>
      HOOKS.map((h) => readFileSync(path.join(clone, '.git', 'hooks', h), 'utf8'));
    const installed = hookTexts();
    expect(installed).toEqual(
      HOOKS.map((h) => readFileSync(path.join(dir, '.git', 'hooks', h), 'utf8')),
    );
    expect(git(bob, clone, ['status', '--porcelain']).stdout).toBe(''); // .gitattributes as committed

    const second = kagi(bob, clone, ['get']);
    expect(noticeLines(second)).toEqual([]);
    // Running the setup again over a complete one changes nothing and says nothing.
    rmSync(path.join(clone, '.git', 'kagi', 'setup'));
    const again = kagi(bob, clone, ['get']);
    expect(noticeLines(again)).toEqual([]);
    kagiOk(bob, clone, ['hooks', 'install']);
    kagiOk(bob, clone, ['hooks', 'install']);
    expect(hookTexts()).toEqual(installed);
    expect(localDriverConfig(bob, clone)).toEqual(DRIVERS);
    expect(git(bob, clone, ['status', '--porcelain']).stdout).toBe('');
  });

  it('chains an existing user hook: it still runs after ours, and its failure still blocks', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    const log = path.join(dir, '.git', 'user-hooks.log');
    const userPreCommit = `#!/bin/sh\necho "user pre-commit ran" >> "${log}"\nexit \${USER_HOOK_EXIT:-0}\n`;
    const userPostCheckout = `#!/bin/sh\necho "user post-checkout ran $3" >> "${log}"\n`;
    write(dir, '.git/hooks/pre-commit', userPreCommit);
    write(dir, '.git/hooks/post-checkout', userPostCheckout);
    for (const hook of ['pre-commit', 'post-checkout'])
      chmodSync(path.join(dir, '.git', 'hooks', hook), 0o755);
    initProject(alice, dir);
    const text = readFileSync(path.join(dir, '.git', 'hooks', 'pre-commit'), 'utf8');
    expect(text).toContain(BLOCK_START);
    expect(text.endsWith(userPreCommit.slice('#!/bin/sh\n'.length))).toBe(true);
    expect(text.indexOf(BLOCK_START)).toBeLessThan(text.indexOf('user pre-commit ran'));

    commitProject(alice, dir);
    expect(readFileSync(log, 'utf8')).toBe('user pre-commit ran\n');
    git(alice, dir, ['checkout', '-q', '-b', 'other']);
    expect(readFileSync(log, 'utf8')).toContain('user post-checkout ran 1');

    write(dir, 'README.md', 'hello\n');
    git(alice, dir, ['add', 'README.md']);
    const failing = { ...alice, env: { ...alice.env, USER_HOOK_EXIT: '3' } };
    expectBlockedCommit(failing, dir);
    expect(readFileSync(log, 'utf8').match(/user pre-commit ran/g)).toHaveLength(2);
    expectCommit(alice, dir);

    write(dir, '.env', 'PASSWORD=hunter2-hunter2\n');
    git(alice, dir, ['add', '-f', '.env']);
    expect(expectBlockedCommit(alice, dir).stderr).toContain('.env is a plaintext env file');
  });

  it('in a husky 9 repository, writes into the committed .husky/<hook>; husky’s hook still runs', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    write(dir, 'package.json', '{"name":"app","private":true,"scripts":{"prepare":"husky"}}\n');
    const husky = (args: string[]) => {
      const r = spawnSync(process.execPath, [HUSKY, ...args], {
        cwd: dir,
        env: alice.env,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
    };
    husky(['init']); // what `npx husky init` does: .husky/pre-commit and core.hooksPath=.husky/_
    expect(git(alice, dir, ['config', 'core.hooksPath']).stdout.trim()).toBe('.husky/_');
    const marker = path.join(dir, '.git', 'husky-ran.log');
    const userHook = `echo "husky pre-commit ran" >> "${marker}"\n`;
    write(dir, '.husky/pre-commit', userHook);
    const generated = readFileSync(path.join(dir, '.husky', '_', 'pre-commit'), 'utf8');

    initProject(alice, dir);
    const text = readFileSync(path.join(dir, '.husky', 'pre-commit'), 'utf8');
    expect(text).toContain(BLOCK_START);
    expect(text.endsWith(userHook)).toBe(true);
    for (const hook of ['post-checkout', 'post-merge'])
      expect(readFileSync(path.join(dir, '.husky', hook), 'utf8')).toContain(BLOCK_START);
    expect(readFileSync(path.join(dir, '.husky', '_', 'pre-commit'), 'utf8')).toBe(generated);
    expect(existsSync(path.join(dir, '.git', 'hooks', 'pre-commit'))).toBe(false);

    // `npm install` runs `husky` again (prepare), which regenerates .husky/_: nothing is lost.
    husky([]);
    commitProject(alice, dir, ['package.json', '.husky']);
    expect(readFileSync(marker, 'utf8')).toBe('husky pre-commit ran\n');
    write(dir, '.env.local', 'PASSWORD=hunter2-hunter2\n');
    git(alice, dir, ['add', '-f', '.env.local']);
    expect(expectBlockedCommit(alice, dir).stderr).toContain('.env.local is a plaintext env file');
    // A teammate's clone gets the hooks from the commit once husky is installed there.
    expect(git(alice, dir, ['ls-files', '.husky']).stdout.split('\n')).toEqual(
      expect.arrayContaining(['.husky/pre-commit', '.husky/post-checkout', '.husky/post-merge']),
    );
  });

  it.each([
    ['lefthook.yml', 'pre-commit:\n  commands:\n    lint:\n      run: echo lint\n', 'lefthook'],
    ['.pre-commit-config.yaml', 'repos: []\n', 'pre-commit'],
  ])('with %s present, writes no hook and prints the snippet for it', (file, content, manager) => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    write(dir, file, content);
    const r = initProject(alice, dir);
    const output = r.stdout + r.stderr;
    expect(output).toContain(`${manager} (${file})`);
    expect(output).toContain('git-kagi hook pre-commit');
    expect(output).toContain('git-kagi hook post-checkout');
    for (const hook of HOOKS) expect(existsSync(path.join(dir, '.git', 'hooks', hook))).toBe(false);
    expect(readFileSync(path.join(dir, file), 'utf8')).toBe(content); // theirs to edit
    expect(localDriverConfig(alice, dir)).toEqual(DRIVERS); // the drivers are still set up
  });
});

// A project with two long values, one short one and a tracked source file; each test stages its own
// changes and the work tree is reset afterwards.
describe('pre-commit', () => {
  const TOKEN = 'hook-canary-token-Zx81Qw';
  const DB_PASSWORD = 'hook-canary-password-Lm27';
  const PORT = 'p0rt123'; // 7 characters: too common to report
  const VALUES = [TOKEN, DB_PASSWORD, PORT];
  let alice: Person;
  let dir: string;

  function expectNoValue(r: Result): void {
    for (const v of VALUES) {
      expect(r.stdout).not.toContain(v);
      expect(r.stderr).not.toContain(v);
    }
  }

  beforeAll(() => {
    alice = makePerson('alice');
    dir = makeRepo(alice);
    initProject(alice, dir);
    kagiOk(alice, dir, ['set', 'api', 'TOKEN', TOKEN]);
    kagiOk(alice, dir, ['set', 'development', 'DB_PASSWORD', DB_PASSWORD]);
    kagiOk(alice, dir, ['set', 'api', 'PORT', PORT]);
    write(dir, 'src/app.ts', 'export const a = 1;\nexport const b = 2;\n');
    commitProject(alice, dir, ['src/app.ts']);
  });

  afterEach(() => {
    git(alice, dir, ['reset', '-q', '--hard']);
    git(alice, dir, ['clean', '-q', '-f', '-d', '-x']);
  });

  it.each(['.kagi/access.json', '.kagi/kagi.json'])(
    'blocks the deletion of %s (the project would become unreadable)',
    (file) => {
      git(alice, dir, ['rm', '-q', '--cached', file]);
      const r = expectBlockedCommit(alice, dir);
      expect(r.stderr).toContain(`${file} is staged for deletion`);
      expect(r.stderr).toContain(`fix: restore it (git restore --staged --worktree -- ${file})`);
    },
  );

  it.each(['.env', '.env.local', 'config/prod.env'])(
    'blocks a staged plaintext env file %s, naming it and the fix',
    (file) => {
      write(dir, file, 'SOMETHING=not-a-kagi-secret\n');
      git(alice, dir, ['add', '-f', file]);
      const r = expectBlockedCommit(alice, dir);
      expect(r.stderr).toContain(`${file} is a plaintext env file`);
      expect(r.stderr).toContain(`fix: unstage it (git rm --cached -- '${file}')`);
      expect(r.stderr).toContain('git kagi import');
    },
  );

  it.each(['.env.example', '.env.sample', '.env.template'])('lets %s through', (file) => {
    write(dir, file, 'TOKEN=\nDB_PASSWORD=\n');
    git(alice, dir, ['add', '-f', file]);
    expectCommit(alice, dir);
  });

  it('blocks a secret value pasted into a source file, as file:line and name, never the value', () => {
    write(
      dir,
      'src/config.ts',
      `// settings\nconst token = "${TOKEN}";\nconst db = '${DB_PASSWORD}';\n`,
    );
    git(alice, dir, ['add', 'src/config.ts']);
    const r = expectBlockedCommit(alice, dir);
    expect(r.stderr).toMatch(/src\/config\.ts:2: contains the value of api\/development TOKEN/);
    expect(r.stderr).toMatch(/src\/config\.ts:3: contains the value of development DB_PASSWORD/);
    expect(r.stderr).toContain('fix:');
    expectNoValue(r);
    // git's own bypass still works.
    const bypass = expectCommit(alice, dir, ['--no-verify']);
    expectNoValue(bypass);
  });

  it('finds a value inside a longer line, in names that need quoting, on a line like a diff header', () => {
    write(dir, 'docs/ünïcode notes.md', `intro\n\nurl: https://x.example/?k=${TOKEN}&v=1\n`);
    write(dir, 'docs/patch.md', `# patch\n++ ${DB_PASSWORD}\n`);
    git(alice, dir, ['add', '--', 'docs']);
    const r = expectBlockedCommit(alice, dir);
    expect(r.stderr).toContain(
      'docs/ünïcode notes.md:3: contains the value of api/development TOKEN',
    );
    expect(r.stderr).toContain('docs/patch.md:2: contains the value of development DB_PASSWORD');
    expectNoValue(r);
  });

  it('does not report values shorter than 8 characters', () => {
    write(dir, 'src/port.ts', `export const port = "${PORT}";\n`);
    git(alice, dir, ['add', 'src/port.ts']);
    const r = expectCommit(alice, dir);
    expect(r.stderr).not.toContain('PORT');
  });

  it('checks what `git commit -a` commits and not what is only in the work tree', () => {
    appendFileSync(path.join(dir, 'src/app.ts'), `export const leak = "${TOKEN}";\n`);
    write(dir, 'src/clean.ts', 'export const clean = true;\n');
    git(alice, dir, ['add', 'src/clean.ts']);
    expectCommit(alice, dir); // the leak is not staged: not part of this commit
    expect(git(alice, dir, ['show', 'HEAD:src/app.ts']).stdout).not.toContain(TOKEN);

    const r = expectBlockedCommit(alice, dir, ['-a']);
    expect(r.stderr).toContain('src/app.ts:3: contains the value of api/development TOKEN');
    expectNoValue(r);
  });

  it('checks what `git commit <path>` commits: its work tree file, not other staged files', () => {
    write(dir, 'src/staged.ts', `export const s = "${TOKEN}";\n`);
    git(alice, dir, ['add', 'src/staged.ts']);
    appendFileSync(path.join(dir, 'src/app.ts'), 'export const c = 3;\n');
    expectCommit(alice, dir, ['--', 'src/app.ts']);
    expect(git(alice, dir, ['ls-tree', '--name-only', 'HEAD', 'src/']).stdout).not.toContain(
      'staged.ts',
    );
    git(alice, dir, ['reset', '-q', '--hard']);

    appendFileSync(path.join(dir, 'src/app.ts'), `export const d = "${DB_PASSWORD}";\n`);
    const r = expectBlockedCommit(alice, dir, ['--', 'src/app.ts']);
    expect(r.stderr).toContain('src/app.ts:4: contains the value of development DB_PASSWORD');
    expectNoValue(r);
  });

  it('works in a linked worktree', () => {
    const wt = path.join(makeTempDir('kagi-wt-'), 'wt');
    git(alice, dir, ['worktree', 'add', '-q', '-b', `wt-${Date.now()}`, wt]);
    try {
      write(wt, 'src/leak.ts', `export const t = "${TOKEN}";\n`);
      git(alice, wt, ['add', 'src/leak.ts']);
      const r = expectBlockedCommit(alice, wt);
      expect(r.stderr).toContain('src/leak.ts:1: contains the value of api/development TOKEN');
      expectNoValue(r);
    } finally {
      git(alice, dir, ['worktree', 'remove', '--force', wt]);
    }
  });

  const STORE = '.kagi/secrets/api/development.enc';
  it.each([
    ['a line that is not a store line', (t: string) => `${t}this is not a store line\n`],
    [
      'a payload that fails to decrypt',
      (t: string) =>
        t.replace(/^(\S{22} 1 )(.)/m, (_m, p: string, c: string) => `${p}${c === 'A' ? 'B' : 'A'}`),
    ],
  ])('blocks a staged store with %s, with a fix', (_label, edit) => {
    const file = path.join(dir, STORE);
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, edit(before));
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    git(alice, dir, ['add', STORE]);
    const r = expectBlockedCommit(alice, dir);
    expect(r.stderr).toContain(STORE);
    expect(r.stderr).toMatch(/fix: /);
    expectNoValue(r);
  });

  it('blocks a staged store with a line left at an older epoch, pointing to doctor --fix', () => {
    kagiOk(alice, dir, ['rotate']);
    git(alice, dir, ['add', '--', '.kagi']);
    git(alice, dir, ['commit', '-q', '-m', 'rotate']);
    // A line from before the rotation, as a text merge of an old branch can leave it.
    const old = parseStore(
      git(alice, dir, ['show', `HEAD~1:${STORE}`]).stdout,
      'api/development',
      STORE,
    )[0] as StoreLine;
    const file = path.join(dir, STORE);
    const current = parseStore(readFileSync(file, 'utf8'), 'api/development', STORE);
    const mixed = [...current, old].sort((a, b) => (a.tag < b.tag ? -1 : 1));
    writeFileSync(file, formatStore('api/development', mixed));
    git(alice, dir, ['add', STORE]);
    const r = expectBlockedCommit(alice, dir);
    expect(r.stderr).toContain(`${STORE} has 1 line(s) at key epoch 1, but the key is at epoch 2`);
    expect(r.stderr).toContain('fix: git kagi doctor --fix');
    expectNoValue(r);
  });

  it('without a key on the device, still blocks env files and says which checks it skipped', () => {
    const dave = makePerson('dave'); // no identity, not a member
    write(dir, '.env', 'SOMETHING=else\n');
    write(dir, 'src/leak.ts', `export const t = "${TOKEN}";\n`);
    git(dave, dir, ['add', '-f', '.env', 'src/leak.ts']);
    const blocked = expectBlockedCommit(dave, dir);
    expect(blocked.stderr).toContain('.env is a plaintext env file');
    expect(blocked.stderr).toMatch(/no key on this device; skipped: secret values in staged files/);
    expectNoValue(blocked);

    git(dave, dir, ['rm', '-q', '--cached', '.env']);
    const passed = expectCommit(dave, dir);
    expect(passed.stderr).toMatch(/skipped: secret values in staged files/);
  });
});

describe('post-checkout and post-merge', () => {
  it('a rotation killed half-way is finished by the next `git checkout`', () => {
    const alice = makePerson('alice');
    const dir = makeRepo(alice);
    kagiOk(alice, dir, ['init', '--name', 'alice', '--envs', 'development,production']);
    const secrets: Array<[string[], string, string]> = [
      [['api'], 'TOKEN', 'rotation-token-Ab12Cd'],
      [['production'], 'DB_URL', 'rotation-db-url-Ef34Gh'],
      [['api', 'production'], 'API_KEY', 'rotation-api-key-Ij56Kl'],
    ];
    for (const [scope, name, value] of secrets) kagiOk(alice, dir, ['set', ...scope, name, value]);
    commitProject(alice, dir);

    // SIGKILL at the third rename: the journal and one store are written, the rest is not.
    const inject = 'inject=?rename,?renameat,?renameat2:signal=SIGKILL:when=3';
    const killed = kagiUnderStrace(alice, dir, ['-o', '/dev/null', '-e', inject], ['rotate']);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const journal = path.join(dir, '.git', 'kagi', 'rotation.json');
    expect(existsSync(journal)).toBe(true);
    const epochs = () => {
      const out: number[] = [];
      for (const f of git(alice, dir, ['ls-files', '.kagi/secrets'])
        .stdout.split('\n')
        .filter(Boolean)) {
        const scope = f.replace(/^\.kagi\/secrets\//, '').replace(/\.enc$/, '');
        out.push(
          ...parseStore(readFileSync(path.join(dir, f), 'utf8'), scope, f).map((l) => l.epoch),
        );
      }
      return out;
    };
    expect(readAccess(dir).epoch).toBe(1);
    expect(new Set(epochs())).toEqual(new Set([1, 2])); // half-rotated

    const checkout = git(alice, dir, ['checkout', '-b', 'other']);
    expect(checkout.stderr).toContain('Finishing an interrupted key rotation (epoch 1 → 2)');
    expect(checkout.stderr).toContain('Key rotation finished: epoch 2.');
    expect(existsSync(journal)).toBe(false);
    expect(readAccess(dir).epoch).toBe(2);
    expect(epochs()).toEqual([2, 2, 2]);
    for (const [scope, name, value] of secrets) {
      const r = kagiOk(alice, dir, ['run', ...scope, '--', 'printenv', name]);
      expect(r.stdout).toBe(`${value}\n`);
    }
    // Nothing is left for the next command to finish.
    const again = git(alice, dir, ['checkout', '-q', 'main']);
    expect(again.stderr).not.toMatch(/rotation/);
  });

  it('tells an active member about a new join request once, and a new member that access was granted', () => {
    const alice = makePerson('alice');
    const bob = makePerson('bob');
    const origin = makeSharedRepo(alice);
    const aliceClone = cloneShared(alice, origin);
    const aliceDir = aliceClone.dir;
    initProject(alice, aliceDir);
    commitProject(alice, aliceDir);
    git(alice, aliceDir, ['push', '-q', '-u', 'origin', 'main']);

    const bobClone = cloneShared(bob, origin);
    const bobDir = bobClone.dir;
    const bobId = requestAccess(bobClone, 'bob asks for access');

    const pull = git(alice, aliceDir, ['pull', '--no-rebase']);
    expect(pull.stderr).toContain(
      `bob (${bobId}) asks for access: git kagi member approve ${bobId}`,
    );
    const checkout = git(alice, aliceDir, ['checkout', '-b', 'look']);
    expect(checkout.stderr).not.toContain('asks for access');
    git(alice, aliceDir, ['checkout', '-q', 'main']);

    kagiOk(alice, aliceDir, ['member', 'approve', bobId, '--yes']);
    commitAndPush(aliceClone, 'approve bob');

    const bobPull = git(bob, bobDir, ['pull', '--no-rebase']);
    expect(bobPull.stderr).toContain(`you (${bobId}) were granted access`);
    expect(bobPull.stderr).not.toContain('asks for access');
    const bobCheckout = git(bob, bobDir, ['checkout', '-b', 'work']);
    expect(bobCheckout.stderr).not.toContain('granted access');
  });
});
