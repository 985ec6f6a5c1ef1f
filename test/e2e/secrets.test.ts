// `set`, `get` and `unset` end to end: kagi's scope inference (root, nested folder, flags), values
// from argv, stdin and a hidden prompt, masked listings, reveals that need a terminal, access.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BIN,
  cleanup,
  kagi,
  kagiOk,
  kagiOnTerminal,
  makePerson,
  makeRepo,
  makeTempDir,
  must,
  type Person,
  readChildEnv,
} from './harness.js';

afterAll(cleanup);

interface Row {
  scope: string;
  name: string;
  value?: string;
  inherited_from: string | null;
  updated_at: string;
  updated_by: string;
}

/** What `run` injects for the given scope words, read by a child that prints JSON. */
function readEnv(person: Person, cwd: string, scope: string[], names: string[]) {
  const env = readChildEnv(person, cwd, [...scope, '--']);
  return Object.fromEntries(names.map((n) => [n, env[n] ?? null]));
}

function listing(person: Person, cwd: string, args: string[] = []): Row[] {
  return JSON.parse(kagiOk(person, cwd, ['get', '--json', ...args]).stdout) as Row[];
}

function scopesOf(rows: Row[], name: string): string[] {
  return rows
    .filter((r) => r.name === name && r.inherited_from === null)
    .map((r) => r.scope)
    .sort();
}

describe('set: scope inference', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--name', 'alice', '--envs', '--nested', 'apps/api,apps/web']));
  const apiFolder = path.join(repo, 'apps', 'api', 'src');
  mkdirSync(apiFolder, { recursive: true });

  it('`set api KEY v` writes api/<default env>', () => {
    const r = kagi(alice, repo, ['set', 'api', 'ROOT_DEFAULT', 'v1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Added ROOT_DEFAULT in api/development');
    expect(r.stdout).toBe('');
    expect(scopesOf(listing(alice, repo), 'ROOT_DEFAULT')).toEqual(['api/development']);
  });

  it('`set api production KEY v` writes api/production', () => {
    expect(kagi(alice, repo, ['set', 'api', 'production', 'ROOT_PROD', 'v2']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'ROOT_PROD')).toEqual(['api/production']);
  });

  it('`set production KEY v` at the root writes the project-wide production scope', () => {
    expect(kagi(alice, repo, ['set', 'production', 'WIDE', 'v3']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'WIDE')).toEqual(['production']);
  });

  it('`set KEY v` at the root writes the project-wide default env', () => {
    expect(kagi(alice, repo, ['set', 'PLAIN', 'v4']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'PLAIN')).toEqual(['development']);
  });

  it('inside a nested service folder, `set KEY v` writes that service', () => {
    const r = kagi(alice, apiFolder, ['set', 'IN_FOLDER', 'v5']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('in api/development');
    expect(scopesOf(listing(alice, repo), 'IN_FOLDER')).toEqual(['api/development']);
  });

  it('inside a nested service folder, `set production KEY v` writes that service in production', () => {
    expect(kagi(alice, apiFolder, ['set', 'production', 'IN_FOLDER_PROD', 'v6']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'IN_FOLDER_PROD')).toEqual(['api/production']);
  });

  it('--service and --env pick the scope explicitly, even from another folder', () => {
    const r = kagi(alice, apiFolder, ['set', '--service', 'web', '--env', 'test', 'FLAGS', 'v7']);
    expect(r.code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'FLAGS')).toEqual(['web/test']);
    expect(kagi(alice, repo, ['set', '-s', 'web', '-e', 'production', 'FLAGS', 'v8']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'FLAGS')).toEqual(['web/production', 'web/test']);
  });

  it('--env production at the root names the project-wide scope', () => {
    expect(kagi(alice, repo, ['set', '--env', 'production', 'ENV_FLAG', 'v9']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'ENV_FLAG')).toEqual(['production']);
  });

  it('a new lower-case word before an upper-case name is a new service', () => {
    expect(kagi(alice, repo, ['set', 'worker', 'QUEUE', 'q']).code).toBe(0);
    expect(scopesOf(listing(alice, repo), 'QUEUE')).toEqual(['worker/development']);
  });

  it('stores the values it was given', () => {
    expect(
      readEnv(alice, repo, ['api', 'production'], ['ROOT_PROD', 'WIDE', 'IN_FOLDER_PROD']),
    ).toEqual({
      ROOT_PROD: 'v2',
      WIDE: 'v3',
      IN_FOLDER_PROD: 'v6',
    });
    expect(readEnv(alice, repo, ['web', 'test'], ['FLAGS'])).toEqual({ FLAGS: 'v7' });
  });

  it('rejects an invalid key name with exit 2 and the suggested fix in the hint', () => {
    const r = kagi(alice, repo, ['set', 'api', 'my-key', 'v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid secret name 'my-key'/m);
    expect(r.stderr).toMatch(/^hint: .*'my_key'/m);
    const digits = kagi(alice, repo, ['set', 'api', '1KEY', 'v']);
    expect(digits.code).toBe(2);
    expect(digits.stderr).toMatch(/^hint: .*'_1KEY'/m);
    const names = listing(alice, repo).map((r) => r.name);
    expect(names).not.toContain('my-key');
    expect(names).not.toContain('1KEY');
  });

  it('rejects KAGI_* names, which are reserved for key sources', () => {
    const r = kagi(alice, repo, ['set', 'api', 'KAGI_PROJECT_KEY', 'v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*KAGI_/m);
  });

  it('rejects an unknown env with exit 2, positional or flag', () => {
    const r = kagi(alice, repo, ['set', 'api', 'staging', 'KEY', 'v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown environment 'staging'/m);
    expect(r.stderr).toMatch(/^hint: .*env add staging/m);
    const flag = kagi(alice, repo, ['set', '--env', 'staging', 'KEY', 'v']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error: unknown environment 'staging'/m);
  });

  it('rejects an env used as a service with exit 2', () => {
    const r = kagi(alice, repo, ['set', '--service', 'production', 'KEY', 'v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*production.*environment/m);
  });
});

describe('set: where the value comes from', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--nested', 'apps/api']));

  it('reads stdin without a value, stripping one trailing newline', () => {
    expect(kagi(alice, repo, ['set', 'api', 'FROM_STDIN'], 'piped value\n').code).toBe(0);
    expect(kagi(alice, repo, ['set', 'api', 'TWO_NEWLINES'], 'kept\n\n').code).toBe(0);
    expect(kagi(alice, repo, ['set', 'api', 'NO_NEWLINE'], 'exact').code).toBe(0);
    expect(kagi(alice, repo, ['set', 'api', 'MULTI'], 'line 1\nline 2\n').code).toBe(0);
    expect(
      readEnv(alice, repo, ['api'], ['FROM_STDIN', 'TWO_NEWLINES', 'NO_NEWLINE', 'MULTI']),
    ).toEqual({
      FROM_STDIN: 'piped value',
      TWO_NEWLINES: 'kept\n',
      NO_NEWLINE: 'exact',
      MULTI: 'line 1\nline 2',
    });
  });

  it('takes a value starting with "-" after `--`, and never echoes it when `--` is missing', () => {
    const stored = kagi(alice, repo, ['set', 'api', 'NEGATIVE', '--', '-42-dash-value']);
    expect(stored.code).toBe(0);
    expect(readEnv(alice, repo, ['api'], ['NEGATIVE'])).toEqual({ NEGATIVE: '-42-dash-value' });
    for (const value of ['-dash-secret-1', '--dash-secret-2']) {
      const r = kagi(alice, repo, ['set', 'api', 'DASHED', value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).toMatch(/^hint: .*--/m);
      expect(r.stderr).not.toContain('dash-secret');
    }
  });

  it('prompts without echo on a terminal: the typed value never appears in the transcript', () => {
    // Backspace edits the hidden answer: "…-4X", erase the X, then "2".
    const r = kagiOnTerminal(alice, repo, ['set', 'api', 'TYPED'], ['hidden-value-4X\u007f2\r']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Value for TYPED');
    expect(r.stdout).toContain('Added TYPED in api/development');
    expect(r.stdout).not.toContain('hidden-value-4');
    expect(readEnv(alice, repo, ['api'], ['TYPED'])).toEqual({ TYPED: 'hidden-value-42' });
  });
});

describe('get, unset and access', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--name', 'alice', '--envs', '--nested', 'apps/api,apps/web']));
  must(kagi(alice, repo, ['set', 'api', 'DATABASE_URL', 'postgres://db-value-1']));
  must(kagi(alice, repo, ['set', 'api', 'API_TOKEN', 'token-value-2']));
  must(kagi(alice, repo, ['set', 'api', 'THIRD', 'third-value-3']));
  must(kagi(alice, repo, ['set', 'development', 'LOG_LEVEL', 'debug-value-4']));
  must(kagi(alice, repo, ['set', 'development', 'API_TOKEN', 'shadowed-value-5']));
  const values = [
    'postgres://db-value-1',
    'token-value-2',
    'third-value-3',
    'debug-value-4',
    'shadowed-value-5',
  ];

  it('lists scopes and names with masked values and who set them', () => {
    const r = kagi(alice, repo, ['get']);
    expect(r.code).toBe(0);
    for (const name of ['DATABASE_URL', 'API_TOKEN', 'THIRD', 'LOG_LEVEL'])
      expect(r.stdout).toContain(name);
    for (const scope of ['api/development', 'web/production', 'development'])
      expect(r.stdout).toMatch(new RegExp(`^${scope}$`, 'm'));
    expect(r.stdout).toMatch(
      /^ {2}DATABASE_URL +\S+ +set \d{4}-\d\d-\d\d \d\d:\d\d UTC by alice$/m,
    );
    for (const value of values) expect(r.stdout + r.stderr).not.toContain(value);
  });

  it('marks project-wide secrets a service inherits, and the service value wins', () => {
    const r = kagi(alice, repo, ['get', 'api']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}LOG_LEVEL .*inherited from development/m);
    expect(r.stdout).not.toMatch(/^ {2}API_TOKEN .*inherited/m);
    const rows = listing(alice, repo, ['api', 'development']);
    expect(rows.find((row) => row.name === 'LOG_LEVEL')?.inherited_from).toBe('development');
    expect(rows.filter((row) => row.name === 'API_TOKEN')).toHaveLength(1);
    expect(rows.find((row) => row.name === 'API_TOKEN')?.inherited_from).toBeNull();
  });

  it('get --json is masked: no value field and no value anywhere', () => {
    const r = kagi(alice, repo, ['get', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Row[];
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) {
      expect(row).not.toHaveProperty('value');
      expect(row.updated_by).toBe('alice');
      expect(Number.isNaN(Date.parse(row.updated_at))).toBe(false);
    }
    for (const value of values) expect(r.stdout).not.toContain(value);
  });

  it('`get api KEY` and `get --show` refuse without a terminal and print no value', () => {
    for (const args of [
      ['get', 'api', 'DATABASE_URL'],
      ['get', '--show'],
      ['get', '--show', '--json'],
    ]) {
      const r = kagi(alice, repo, args);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: .*terminal/m);
      for (const value of values) expect(r.stderr).not.toContain(value);
    }
  });

  it('`get api KEY` reveals the value after `y` on a terminal', () => {
    const r = kagiOnTerminal(alice, repo, ['get', 'api', 'DATABASE_URL'], ['y\r']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('postgres://db-value-1');
    expect(r.stdout).not.toContain('token-value-2');
  });

  it('`get --show` reveals values after `y`, and shows nothing after `n`', () => {
    const shown = kagiOnTerminal(alice, repo, ['get', '--show', 'api'], ['y\r']);
    expect(shown.code).toBe(0);
    for (const value of ['postgres://db-value-1', 'token-value-2', 'debug-value-4'])
      expect(shown.stdout).toContain(value);
    const refused = kagiOnTerminal(alice, repo, ['get', '--show', 'api'], ['n\r']);
    expect(refused.code).not.toBe(0);
    for (const value of values) expect(refused.stdout).not.toContain(value);
  });

  it('changing one secret rewrites its line only; every other line stays byte-identical', () => {
    const store = path.join(repo, '.kagi', 'secrets', 'api', 'development.enc');
    const before = readFileSync(store, 'utf8').split('\n');
    expect(kagi(alice, repo, ['set', 'api', 'API_TOKEN', 'token-value-2b']).code).toBe(0);
    const after = readFileSync(store, 'utf8').split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.filter((line, i) => line !== before[i]);
    expect(changed).toHaveLength(1);
    // Same tag (the name's line), new payload.
    const tag = (changed[0] as string).split(' ')[0];
    expect(before.some((line) => line.startsWith(`${tag} `))).toBe(true);
    expect(readEnv(alice, repo, ['api'], ['API_TOKEN', 'THIRD'])).toEqual({
      API_TOKEN: 'token-value-2b',
      THIRD: 'third-value-3',
    });
  });

  it('setting the same value again changes no byte', () => {
    const store = path.join(repo, '.kagi', 'secrets', 'api', 'development.enc');
    const before = readFileSync(store, 'utf8');
    const r = kagi(alice, repo, ['set', 'api', 'THIRD', 'third-value-3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Unchanged');
    expect(readFileSync(store, 'utf8')).toBe(before);
  });

  it('unset removes one secret from one scope', () => {
    const r = kagi(alice, repo, ['unset', 'api', 'THIRD']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Removed THIRD from api/development');
    expect(listing(alice, repo).map((row) => row.name)).not.toContain('THIRD');
    expect(readEnv(alice, repo, ['api'], ['THIRD', 'DATABASE_URL'])).toEqual({
      THIRD: null,
      DATABASE_URL: 'postgres://db-value-1',
    });
  });

  it('unset of a missing key is an error and changes nothing', () => {
    const store = path.join(repo, '.kagi', 'secrets', 'api', 'development.enc');
    const before = readFileSync(store, 'utf8');
    const r = kagi(alice, repo, ['unset', 'api', 'NEVER_SET']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no secret NEVER_SET in api\/development/m);
    expect(readFileSync(store, 'utf8')).toBe(before);
  });

  it('a second teammate who is not a member gets exit 3 and no value', () => {
    const bob = makePerson('bob');
    for (const args of [
      ['get'],
      ['get', '--json'],
      ['set', 'api', 'BOB', 'x'],
      ['unset', 'api', 'DATABASE_URL'],
      ['run', 'api', '--', 'true'],
    ]) {
      const r = kagi(bob, repo, args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).toMatch(/^hint: .*join/m);
      expect(r.stdout).toBe('');
      for (const value of values) expect(r.stderr).not.toContain(value);
    }
    expect(listing(alice, repo).map((row) => row.name)).not.toContain('BOB');
  });

  it('a teammate with a device identity of their own, but not a member, gets exit 3', () => {
    const carol = makePerson('carol');
    expect(kagi(carol, makeRepo(carol), ['init']).code).toBe(0);
    const r = kagi(carol, repo, ['get', 'api', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: this device is not a member of project kgp_/m);
    expect(r.stdout).toBe('');
    const set = kagi(carol, repo, ['set', 'api', 'CAROL', 'x']);
    expect(set.code).toBe(3);
  });
});

describe('get: where the listing goes', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--name', 'alice']));
  // More than a pipe holds (64 KiB), so that `head` really leaves before the listing is written.
  const file = path.join(makeTempDir(), 'many.env');
  writeFileSync(file, Array.from({ length: 2000 }, (_, i) => `KEY_${i}=value-${i}-Tz8\n`).join(''));
  must(kagi(alice, repo, ['import', '--env', 'development', '--file', file]));

  it('stops quietly when the reader goes away (`| head -1`)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" get | head -1`], {
      cwd: repo,
      env: alice.env,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('development\n');
    expect(r.stderr).toBe('');
  });

  it('says so when standard output cannot be written (a full disk)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" get > /dev/full`], {
      cwd: repo,
      env: alice.env,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: could not write to standard output \(ENOSPC\)$/m);
  });
});
