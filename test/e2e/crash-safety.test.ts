import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStore } from '../../src/core/store.js';
import { deriveProjectKeys, parseRootKeyHex } from '../../src/crypto/keys.js';
import { computeTag, decryptSecret } from '../../src/crypto/secret-line.js';
import { isProcessAlive } from '../../src/io/atomic-file.js';
import {
  cleanup,
  copyToTemp,
  git,
  kagi,
  kagiOk,
  kagiUnderStrace,
  makePersonIn,
  makeRepo,
  makeTempDir,
  type Person,
  readAccess,
  readCachedKey,
} from './harness.js';
import { joinProject } from './team.js';
import { findLeftovers } from './tree.js';

afterAll(cleanup);

/** Four scopes × three secrets; the `run` that sees each scope (project-wide under service). */
const SCOPES = [
  { scope: 'api/development', file: 'secrets/api/development.enc', words: ['api', 'development'] },
  { scope: 'api/production', file: 'secrets/api/production.enc', words: ['api', 'production'] },
  { scope: 'production', file: 'secrets/production.enc', words: ['production'] },
  { scope: 'web/development', file: 'secrets/web/development.enc', words: ['web', 'development'] },
] as const;
const RUNS = [
  ['api', 'development'],
  ['api', 'production'],
  ['web', 'development'],
];

function namesOf(scope: string): string[] {
  const prefix = scope.replace('/', '_').toUpperCase();
  return ['A', 'B', 'C'].map((x) => `${prefix}_${x}`);
}

const VALUES: Record<string, string> = {};
for (const { scope } of SCOPES)
  for (const name of namesOf(scope))
    VALUES[name] = `v-${name.toLowerCase()}-${randomBytes(6).toString('hex')}`;

/** One simulated world: the repository and every KAGI_HOME, so a copy of the folder is a fork. */
interface World {
  root: string;
  repo: string;
  alice: Person;
  bob: Person;
  carol: Person;
  /** The machine's identity file; the machine always starts from an empty KAGI_HOME. */
  machineIdentity: string;
}

function worldAt(root: string): World {
  return {
    root,
    repo: path.join(root, 'repo'),
    alice: makePersonIn(root, 'alice'),
    bob: makePersonIn(root, 'bob'),
    carol: makePersonIn(root, 'carol'),
    machineIdentity: path.join(root, 'ci-identity.txt'),
  };
}

let base: World;
let projectId: string;
let carolId: string;
let carolOldKey: string;
/** Number of renames a complete `member remove carol` makes, and the syscall name node uses. */
let renames: number;
let renameCall: string;

function fork(): World {
  return worldAt(copyToTemp(base.root, 'kagi-crash-'));
}

/** Runs `member remove carol` and SIGKILLs it at the n-th rename. */
function removeCarolKilledAt(world: World, n: number): void {
  const r = kagiUnderStrace(
    world.alice,
    world.repo,
    ['-o', '/dev/null', '-e', `inject=${renameCall}:signal=SIGKILL:when=${n}`],
    ['member', 'remove', carolId, '--yes'],
  );
  expect(r.error).toBeUndefined();
  expect(r.signal, `rename ${n}: ${r.stderr}`).toBe('SIGKILL');
}

/** Every secret a reader sees through `run`, as NAME → value. */
function readAll(person: Person, cwd: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const seen: Record<string, string> = {};
  for (const words of RUNS) {
    const r = kagi(person, cwd, ['run', ...words, '--', 'printenv'], '', extraEnv);
    expect(r.code, `${person.name} run ${words.join(' ')}: ${r.stderr}`).toBe(0);
    for (const line of r.stdout.split('\n')) {
      const at = line.indexOf('=');
      const name = line.slice(0, at);
      if (name in VALUES) seen[name] = line.slice(at + 1);
    }
  }
  return seen;
}

function readLines(world: World, scope: (typeof SCOPES)[number]) {
  const text = readFileSync(path.join(world.repo, '.kagi', scope.file), 'utf8');
  return parseStore(text, scope.scope, scope.file);
}

/** Temp files and journals anywhere in the world (the repository and every KAGI_HOME), relative
 * to the repository; the lock is checked on its own (`expectClean`). */
function leftovers(world: World): string[] {
  return findLeftovers(world.root, { locks: false }).map((f) =>
    path.relative(world.repo, path.join(world.root, f)),
  );
}

function expectClean(world: World): void {
  expect(leftovers(world)).toEqual([]);
  // A killed writer's lock may stay until the next write takes it over, but nobody holds it.
  const lock = path.join(world.repo, '.git', 'kagi', 'lock');
  if (existsSync(lock)) expect(isProcessAlive(Number(readFileSync(lock, 'utf8')))).toBe(false);
  const untracked = git(world.alice, world.repo, ['status', '--porcelain', '-uall'])
    .stdout.split('\n')
    .filter((l) => l.startsWith('??'));
  expect(untracked).toEqual([]);
}

/** The finished rotation: epoch 2, carol out, everyone else reading every original value. */
function expectRotated(world: World): void {
  const access = readAccess(world.repo);
  expect(access.epoch).toBe(2);
  const carol = access.members.find((m) => m.id === carolId);
  expect(carol?.status).toBe('removed');
  expect(carol?.wrapped_key).toBeUndefined();
  for (const m of access.members.filter((m) => m.id !== carolId)) {
    expect(m.status).toBe('active');
    expect(m.wrapped_key).toBeDefined();
  }
  for (const scope of SCOPES) {
    const lines = readLines(world, scope);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.epoch)).toEqual([2, 2, 2]);
  }

  expect(readAll(world.alice, world.repo)).toEqual(VALUES);
  expect(readAll(world.bob, world.repo)).toEqual(VALUES);
  const machineHome = path.join(makeTempDir('kagi-machine-'), 'kagi');
  expect(
    readAll(world.alice, world.repo, {
      KAGI_HOME: machineHome,
      KAGI_IDENTITY_FILE: world.machineIdentity,
    }),
  ).toEqual(VALUES);

  // Carol's device is refused, her old key is no longer the project's…
  const refused = kagi(world.carol, world.repo, ['get', '--json']);
  expect(refused.code).toBe(3);
  const withOldKey = kagi(world.carol, world.repo, ['get', '--json'], '', {
    KAGI_PROJECT_KEY: carolOldKey,
  });
  expect(withOldKey.code).toBe(3);
  // …and it opens no line of the new stores, at either epoch, nor names any of them.
  const old = deriveProjectKeys(parseRootKeyHex(carolOldKey) as Uint8Array);
  for (const scope of SCOPES) {
    const env = scope.scope.split('/').at(-1) as string;
    const lines = readLines(world, scope);
    const oldTags = namesOf(scope.scope).map((n) => computeTag(old.env(env).tag, scope.scope, n));
    for (const line of lines) {
      expect(oldTags).not.toContain(line.tag);
      for (const epoch of [1, 2]) {
        expect(() =>
          decryptSecret(old.env(env), { projectId, scope: scope.scope, epoch }, line, scope.file),
        ).toThrow();
      }
    }
  }
  expectClean(world);
}

beforeAll(() => {
  base = worldAt(path.join(makeTempDir('kagi-crash-base-'), 'world'));
  const { alice, bob, carol, repo } = base;
  makeRepo(alice, repo);
  projectId = kagiOk(alice, repo, ['init', '--name', 'alice', '--envs']).stdout.trim();
  for (const scope of SCOPES) {
    const file = path.join(base.root, 'import.env');
    writeFileSync(
      file,
      namesOf(scope.scope)
        .map((n) => `${n}=${VALUES[n]}\n`)
        .join(''),
    );
    kagiOk(alice, repo, ['import', ...scope.words, '--file', file]);
  }
  const bobId = joinProject(bob, repo);
  carolId = joinProject(carol, repo);
  kagiOk(alice, repo, ['member', 'approve', bobId, '--yes']);
  kagiOk(alice, repo, ['member', 'approve', carolId, '--yes']);
  kagiOk(alice, repo, ['member', 'add-machine', 'ci', '--out', base.machineIdentity]);
  // Bob and carol have read once: their devices cache and pin epoch 1.
  kagiOk(bob, repo, ['get', '--json']);
  kagiOk(carol, repo, ['get', '--json']);
  carolOldKey = readCachedKey(carol, projectId);
  git(alice, repo, ['add', '.']);
  git(alice, repo, ['commit', '-q', '-m', 'kagi with three members and a machine']);

  const trace = path.join(makeTempDir('kagi-strace-'), 'trace');
  const world = fork();
  const r = kagiUnderStrace(
    world.alice,
    world.repo,
    ['-o', trace, '-e', 'trace=?rename,?renameat,renameat2'],
    ['member', 'remove', carolId, '--yes'],
  );
  expect(r.status, r.stderr).toBe(0);
  const calls = readFileSync(trace, 'utf8')
    .split('\n')
    .map((l) => /^(\d+) +(rename\w*)\(/.exec(l))
    .filter((m) => m !== null);
  renames = calls.length;
  renameCall = calls[0]?.[2] ?? 'rename';
  // One syscall from one thread, or `when=N` would not mean the N-th rename.
  expect(new Set(calls.map((m) => `${m[1]} ${m[2]}`)).size).toBe(1);
  // The journal, four stores, access.json, then the device's key cache and pin at least.
  expect(renames).toBeGreaterThanOrEqual(SCOPES.length + 2);
  expectRotated(world);
}, 180_000);

describe('a rotation killed at any rename is finished by the next command', () => {
  it('a full run of the removal makes the renames it is killed at below', () => {
    expect(renameCall).toMatch(/^rename/);
    expect(renames).toBeGreaterThanOrEqual(6);
  });

  it('killed at the journal itself: nothing happened, the old state is whole', () => {
    const world = fork();
    removeCarolKilledAt(world, 1);
    expect(existsSync(path.join(world.repo, '.git', 'kagi', 'rotation.json'))).toBe(false);
    kagiOk(world.alice, world.repo, ['get', '--json']);
    const access = readAccess(world.repo);
    expect(access.epoch).toBe(1);
    expect(access.members.find((m) => m.id === carolId)?.status).toBe('active');
    for (const scope of SCOPES)
      expect(readLines(world, scope).map((l) => l.epoch)).toEqual([1, 1, 1]);
    expect(git(world.alice, world.repo, ['status', '--porcelain']).stdout).toBe('');
    expect(readAll(world.alice, world.repo)).toEqual(VALUES);
    expect(readAll(world.bob, world.repo)).toEqual(VALUES);
    expect(readAll(world.carol, world.repo)).toEqual(VALUES);
    // Only the journal's temp file is left, outside the work tree; the next rotation removes it.
    expect(leftovers(world)).toEqual([
      expect.stringMatching(/^\.git\/kagi\/\.rotation\.json\.[0-9]+\.[0-9a-f]{8}\.tmp$/),
    ]);
    // The dead process's lock does not block the removal when it is run again.
    kagiOk(world.alice, world.repo, ['member', 'remove', carolId, '--yes']);
    expectRotated(world);
  });

  // Seven or more forks and recoveries in one test: give it the time a loaded CI machine needs.
  it('killed at every later rename: `git kagi get` finishes it', { timeout: 240_000 }, () => {
    for (let n = 2; n <= renames; n++) {
      const world = fork();
      removeCarolKilledAt(world, n);
      const r = kagi(world.alice, world.repo, ['get', '--json']);
      expect(r.code, `killed at rename ${n}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/^(error|warning):/m);
      const rows = JSON.parse(r.stdout) as { name: string; inherited_from: string | null }[];
      const own = rows.filter((row) => row.inherited_from === null).map((row) => row.name);
      expect(own.sort()).toEqual(Object.keys(VALUES).sort());
      expectRotated(world);
    }
  });

  it('killed at the removal of the journal: the next command only removes it', () => {
    const world = fork();
    const journal = path.join(world.repo, '.git', 'kagi', 'rotation.json');
    const killed = kagiUnderStrace(
      world.alice,
      world.repo,
      ['-o', '/dev/null', '-P', journal, '-e', 'inject=?unlink,?unlinkat:signal=SIGKILL'],
      ['member', 'remove', carolId, '--yes'],
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(journal)).toBe(true);
    expect(readAccess(world.repo).epoch).toBe(2);
    kagiOk(world.alice, world.repo, ['get', '--json']);
    expectRotated(world);
  });

  it('`git kagi run` finishes it before the child starts', () => {
    const world = fork();
    removeCarolKilledAt(world, 3);
    const r = kagi(world.alice, world.repo, ['run', 'api', '--', 'printenv', 'API_DEVELOPMENT_A']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VALUES.API_DEVELOPMENT_A}\n`);
    expect(r.stderr).toMatch(/interrupted key rotation/);
    expectRotated(world);
  });

  it('`git kagi set` finishes it, then writes at the new epoch', () => {
    const world = fork();
    removeCarolKilledAt(world, SCOPES.length + 1);
    kagiOk(world.alice, world.repo, ['set', 'api', 'API_DEVELOPMENT_A', 'changed-after-crash']);
    const changed = kagi(world.bob, world.repo, [
      'run',
      'api',
      '--',
      'printenv',
      'API_DEVELOPMENT_A',
    ]);
    expect(changed.stdout).toBe('changed-after-crash\n');
    kagiOk(world.alice, world.repo, [
      'set',
      'api',
      'API_DEVELOPMENT_A',
      `${VALUES.API_DEVELOPMENT_A}`,
    ]);
    expectRotated(world);
  });

  it('the finishing command killed too: the one after it still finishes', () => {
    const world = fork();
    removeCarolKilledAt(world, 2);
    const again = kagiUnderStrace(
      world.alice,
      world.repo,
      ['-o', '/dev/null', '-e', `inject=${renameCall}:signal=SIGKILL:when=2`],
      ['get', '--json'],
    );
    expect(again.signal).toBe('SIGKILL');
    kagiOk(world.alice, world.repo, ['get', '--json']);
    expectRotated(world);
  });
});

describe('other writers killed mid-write', () => {
  it('`set` killed at its rename: the old value stays, the next write removes the temp file', () => {
    const world = fork();
    const killed = kagiUnderStrace(
      world.alice,
      world.repo,
      ['-o', '/dev/null', '-e', `inject=${renameCall}:signal=SIGKILL:when=1`],
      ['set', 'api', 'API_DEVELOPMENT_A', 'never-written'],
    );
    expect(killed.signal).toBe('SIGKILL');
    const left = leftovers(world);
    expect(left).toEqual([expect.stringMatching(/^\.kagi\/secrets\/api\/\.development\.enc\./)]);
    expect(
      kagi(world.alice, world.repo, ['run', 'api', '--', 'printenv', 'API_DEVELOPMENT_A']).stdout,
    ).toBe(`${VALUES.API_DEVELOPMENT_A}\n`);
    kagiOk(world.alice, world.repo, ['set', 'api', 'API_DEVELOPMENT_B', 'written']);
    expectClean(world);
  });

  it('a writer killed between creating its lock and writing its pid does not block for good', () => {
    const world = fork();
    const lock = path.join(world.repo, '.git', 'kagi', 'lock');
    const killed = kagiUnderStrace(
      world.alice,
      world.repo,
      ['-o', '/dev/null', '-P', lock, '-e', 'trace=write', '-e', 'inject=write:signal=SIGKILL'],
      ['set', 'api', 'API_DEVELOPMENT_A', 'never-written'],
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(lock, 'utf8')).toBe('');
    // An empty lock is a live writer's for a moment only; one a minute old was abandoned.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, aMinuteAgo, aMinuteAgo);
    const started = Date.now();
    kagiOk(world.alice, world.repo, ['set', 'api', 'API_DEVELOPMENT_A', 'written']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(lock)).toBe(false);
  });
});
