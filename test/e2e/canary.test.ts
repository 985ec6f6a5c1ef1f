// The canary check: values planted through every command path never appear in
// stderr, in stdout (except reveals and run's child), in files, git objects, KAGI_HOME or temp files.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  git,
  kagi,
  kagiOnTerminal,
  makePerson,
  makeRepo,
  makeTempDir,
  type Person,
  type Result,
} from './harness.js';
import { filesContaining, listFiles } from './tree.js';

afterAll(cleanup);

const started = Date.now() - 2000;
/** Every planted value contains MARK; finding MARK anywhere is a leak. */
const MARK = `CANARY${randomBytes(10).toString('hex')}`;
const canary = (n: number) => `${MARK}-${n}-${randomBytes(4).toString('hex')}`;

interface Step {
  label: string;
  result: Result;
  /** The user asked to see values here (get --show, get KEY, run's child output). */
  reveals: boolean;
}

describe('canary: planted values never leak', () => {
  const alice = makePerson('alice');
  const bob = makePerson('bob');
  const ci = makePerson('ci');
  const repo = makeRepo(alice);
  const inputs = makeTempDir('kagi-canary-inputs-');
  const exportDir = path.join(makeTempDir('kagi-canary-export-'), 'out');
  const steps: Step[] = [];
  const values: Record<string, string> = {};

  const step = (
    label: string,
    person: Person,
    args: string[],
    options: { input?: string; env?: NodeJS.ProcessEnv; reveals?: boolean; cwd?: string } = {},
  ): Result => {
    const result = kagi(person, options.cwd ?? repo, args, options.input ?? '', options.env ?? {});
    steps.push({ label, result, reveals: options.reveals ?? false });
    return result;
  };
  const onTerminal = (label: string, args: string[], keys: string[], reveals: boolean) => {
    const result = kagiOnTerminal(alice, repo, args, keys);
    steps.push({ label, result, reveals });
    return result;
  };
  const writeInput = (name: string, text: string) => {
    const file = path.join(inputs, name);
    writeFileSync(file, text);
    return file;
  };

  // Plant: argv, stdin, the hidden prompt, import (with a multi-line value), sync.
  step('init', alice, ['init', '--envs', '--nested', 'apps/api']);
  values.ARGV = canary(1);
  step('set argv', alice, ['set', 'api', 'ARGV_SECRET', values.ARGV]);
  values.STDIN = canary(2);
  step('set stdin', alice, ['set', 'api', 'production', 'STDIN_SECRET'], {
    input: `${values.STDIN}\n`,
  });
  values.WIDE = canary(3);
  step('set project-wide', alice, ['set', 'development', 'WIDE_SECRET'], {
    input: values.WIDE,
  });
  values.DASHED = `-${canary(20)}`;
  step('set value starting with -', alice, ['set', 'api', 'DASHED_SECRET', values.DASHED]);
  step('set value after --', alice, ['set', 'api', 'DASHED_SECRET', '--', values.DASHED]);
  values.TYPED = canary(4);
  onTerminal('set on a terminal', ['set', 'api', 'TYPED_SECRET'], [`${values.TYPED}\r`], false);
  values.IMPORTED = canary(5);
  values.MULTI = `${canary(6)}\nsecond "line" ${canary(7)}`;
  const importFile = writeInput(
    'api.env',
    `export IMPORTED_SECRET=${values.IMPORTED}\nMULTI_SECRET="${values.MULTI.replace(/"/g, '\\"')}"\n`,
  );
  step('import', alice, ['import', 'api', 'test', '--file', importFile]);
  values.SYNCED = canary(8);
  const apiDir = path.join(repo, 'apps', 'api');
  mkdirSync(apiDir, { recursive: true });
  writeFileSync(
    path.join(apiDir, '.env.example'),
    `SYNCED_SECRET=${values.SYNCED}\n# EMPTY_ONE=\n`,
  );
  step('sync', alice, ['sync', '--service', 'api']);
  // The example is the user's own file; remove it so the scans below see only what git-kagi wrote.
  rmSync(path.join(apiDir, '.env.example'));
  values.GONE = canary(9);
  step('set then unset', alice, ['set', 'api', 'GONE_SECRET', values.GONE]);
  step('unset', alice, ['unset', 'api', 'GONE_SECRET']);
  step('unset missing', alice, ['unset', 'api', 'GONE_SECRET']);

  // Read paths.
  step('get', alice, ['get']);
  step('get api', alice, ['get', 'api']);
  step('get --json', alice, ['get', '--json']);
  step('get api test --json', alice, ['get', 'api', 'test', '--json']);
  step('get KEY without terminal', alice, ['get', 'api', 'ARGV_SECRET']);
  step('get --show without terminal', alice, ['get', '--show']);
  const shownOne = onTerminal('get KEY on terminal', ['get', 'api', 'ARGV_SECRET'], ['y\r'], true);
  const shownAll = onTerminal('get --show on terminal', ['get', '--show', 'api'], ['y\r'], true);
  const ran = step('run', alice, ['run', 'api', '--', 'printenv', 'ARGV_SECRET'], {
    reveals: true,
  });
  step('run exit code', alice, ['run', 'api', '--', 'sh', '-c', 'exit 3']);
  step('run missing command', alice, ['run', 'api', 'production', '--', 'no-such-cmd-canary']);
  step('run without command', alice, ['run', 'api']);
  step('status', alice, ['status']);

  // Failing paths, each holding a canary where a careless error message would echo it.
  values.INVALID_NAME = canary(10);
  step('set invalid name', alice, ['set', 'api', 'bad-name', values.INVALID_NAME]);
  step('set unknown env', alice, ['set', 'api', 'staging', 'SOME_KEY', canary(11)]);
  step('set reserved name', alice, ['set', 'api', 'KAGI_X'], { input: canary(12) });
  step('set NUL value', alice, ['set', 'api', 'NUL_KEY'], { input: `${canary(13)}\0tail` });
  step('get unknown env', alice, ['get', 'api', 'staging']);
  const bad = writeInput('bad.env', `GOOD=${canary(14)}\nBAD-NAME=${canary(15)}\n`);
  step('import invalid name', alice, ['import', 'api', '--file', bad]);
  const open = writeInput('open.env', `FIRST=${canary(16)}\nOPEN="${canary(17)}\n`);
  step('import unterminated quote', alice, ['import', 'api', '--file', open]);
  const conflict = writeInput('conflict.env', `ARGV_SECRET=${canary(18)}\nNEW_ONE=${canary(19)}\n`);
  step('import conflict', alice, ['import', 'api', '--file', conflict]);
  step('import conflict dry run', alice, ['import', 'api', '--file', conflict, '--dry-run']);
  step('export without terminal', alice, ['export', 'api', '--out', exportDir]);
  step('env rename', alice, ['env', 'rename', 'test', 'qa']);
  const renamed = step(
    'run after rename',
    alice,
    ['run', 'api', 'qa', '--', 'printenv', 'IMPORTED_SECRET'],
    {
      reveals: true,
    },
  );
  step('env list', alice, ['env', 'list']);
  step('non-member get', bob, ['get', 'api', 'ARGV_SECRET']);
  step('non-member run', bob, ['run', 'api', '--', 'printenv']);
  const keyFile = path.join(
    alice.home,
    'projects',
    `${JSON.parse(readFileSync(path.join(repo, '.kagi', 'kagi.json'), 'utf8')).project_id}.key`,
  );
  const projectKey = readFileSync(keyFile, 'utf8').trim();
  step('wrong project key', ci, ['run', 'api', '--', 'printenv'], {
    env: { KAGI_PROJECT_KEY: randomBytes(32).toString('hex') },
  });
  step('malformed project key', ci, ['get', 'api'], { env: { KAGI_PROJECT_KEY: MARK } });
  const ciRun = step(
    'project key run',
    ci,
    ['run', 'api', 'production', '--', 'printenv', 'STDIN_SECRET'],
    {
      env: { KAGI_PROJECT_KEY: projectKey },
      reveals: true,
    },
  );
  step('project key status', ci, ['status'], { env: { KAGI_PROJECT_KEY: projectKey } });

  // A tampered store, with debug output on: the integrity error must not carry plaintext.
  const store = path.join(repo, '.kagi', 'secrets', 'api', 'qa.enc');
  const original = readFileSync(store, 'utf8');
  const lines = original.split('\n');
  lines[1] = (lines[1] as string).replace(/.{6}$/, (tail) => tail.split('').reverse().join(''));
  writeFileSync(store, lines.join('\n'));
  const tampered = step('tampered store, debug', alice, ['get', 'api', 'qa'], {
    env: { KAGI_DEBUG: '1' },
  });
  step('tampered store, run', alice, ['run', 'api', 'qa', '--', 'true'], {
    env: { KAGI_DEBUG: '1' },
  });
  writeFileSync(store, original);

  // The one plaintext the user asks for: an export.
  const exported = onTerminal(
    'export on terminal',
    ['export', 'api', '--out', exportDir],
    ['y\r'],
    false,
  );
  step('export over existing', alice, ['export', 'api', '--out', exportDir]);

  git(alice, repo, ['add', '.']);
  git(alice, repo, ['commit', '-q', '-m', 'secrets']);

  it('planted every value (the scans below look for something real)', () => {
    for (const label of [
      'init',
      'set argv',
      'set stdin',
      'set project-wide',
      'set on a terminal',
      'import',
      'sync',
      'set value after --',
      'set then unset',
      'unset',
      'env rename',
    ]) {
      expect(steps.find((x) => x.label === label)?.result.code, label).toBe(0);
    }
    expect(shownOne.code).toBe(0);
    expect(shownOne.stdout).toContain(values.ARGV);
    for (const v of [values.ARGV, values.TYPED, values.SYNCED, values.WIDE, values.DASHED])
      expect(shownAll.stdout).toContain(v);
    expect(ran.stdout).toBe(`${values.ARGV}\n`);
    expect(renamed.stdout).toBe(`${values.IMPORTED}\n`);
    expect(ciRun.stdout).toBe(`${values.STDIN}\n`);
    expect(tampered.code).toBe(4);
    expect(exported.code).toBe(0);
    const out = readFileSync(path.join(exportDir, '.env.qa'), 'utf8');
    expect(out).toContain(values.IMPORTED);
  });

  it('the failing paths failed', () => {
    for (const label of [
      'unset missing',
      'get KEY without terminal',
      'get --show without terminal',
      'set invalid name',
      'set value starting with -',
      'set unknown env',
      'set reserved name',
      'set NUL value',
      'get unknown env',
      'import invalid name',
      'import unterminated quote',
      'import conflict',
      'export without terminal',
      'non-member get',
      'wrong project key',
      'malformed project key',
      'tampered store, run',
      'export over existing',
    ]) {
      const s = steps.find((x) => x.label === label);
      expect(s?.result.code, label).not.toBe(0);
    }
  });

  it('never appears in stderr', () => {
    const leaks = steps.filter((s) => s.result.stderr.includes(MARK)).map((s) => s.label);
    expect(leaks).toEqual([]);
  });

  it('never appears in stdout, except where values were asked for', () => {
    const leaks = steps
      .filter((s) => !s.reveals && s.result.stdout.includes(MARK))
      .map((s) => s.label);
    expect(leaks).toEqual([]);
  });

  it('the typed value is not echoed, and the failed import did not import', () => {
    const typed = steps.find((s) => s.label === 'set on a terminal') as Step;
    expect(typed.result.code).toBe(0);
    expect(typed.result.stdout).not.toContain(values.TYPED);
    const rows = JSON.parse(kagi(alice, repo, ['get', '--json']).stdout) as Array<{ name: string }>;
    const names = rows.map((r) => r.name);
    for (const name of ['GOOD', 'FIRST', 'NEW_ONE', 'GONE_SECRET', 'NUL_KEY'])
      expect(names).not.toContain(name);
  });

  it('never appears in any file of the repository, .kagi/ and .git/ included', () => {
    const files = listFiles(repo);
    expect(files.some((f) => f.includes(`${path.sep}.kagi${path.sep}`))).toBe(true);
    expect(files.some((f) => f.includes(`${path.sep}.git${path.sep}`))).toBe(true);
    expect(filesContaining(files, MARK)).toEqual([]);
  });

  it('never appears in any git object', () => {
    const objects = git(alice, repo, ['cat-file', '--batch-all-objects', '--batch']).stdout;
    expect(objects).toContain('.kagi');
    expect(objects.includes(MARK)).toBe(false);
  });

  it('never appears in KAGI_HOME or HOME of anyone', () => {
    for (const person of [alice, bob, ci]) {
      const files = listFiles(path.dirname(person.home));
      expect(filesContaining(files, MARK), person.name).toEqual([]);
    }
  });

  it('the export holds only the files asked for', () => {
    expect(readdirSync(exportDir).sort()).toEqual([
      '.env.development',
      '.env.production',
      '.env.qa',
    ]);
  });

  it('leaves no temp file with a value under os.tmpdir()', () => {
    const recent = (file: string) => {
      try {
        return statSync(file).mtimeMs >= started;
      } catch {
        return false;
      }
    };
    const files = listFiles(os.tmpdir(), [inputs, exportDir], recent);
    expect(files.length).toBeGreaterThan(0);
    expect(filesContaining(files, MARK)).toEqual([]);
  });
});
