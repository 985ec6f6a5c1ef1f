// A full disk or a read-only file system during a write (strace error injection: root ignores
// chmod): a clear `error:`, no value shown, the previous files intact, nothing left behind.
import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStore } from '../../src/core/store.js';
import {
  cleanup,
  copyToTemp,
  git,
  kagiOk,
  kagiUnderStrace,
  makePersonIn,
  makeRepo,
  makeTempDir,
  type Person,
  readAccess,
} from './harness.js';
import { findLeftovers, snapshotTree } from './tree.js';

afterAll(cleanup);

const OLD = 'old-value-Rk4vT8qZ2m';
const NEW = 'new-value-Lp9sW3xC7n';
const OTHER = { WEB_TOKEN: 'web-token-Hy6bN1fD5j', PROD_URL: 'prod-url-Uq2eM7gA4k' };
const STORE = '.kagi/secrets/api/development.enc';

interface World {
  root: string;
  repo: string;
  alice: Person;
}

function worldAt(root: string): World {
  return { root, repo: path.join(root, 'repo'), alice: makePersonIn(root, 'alice') };
}

let base: World;
/** Every store of the project; those with lines are rewritten by a rotation, in scope order. */
let stores: string[];
let rewritten: string[];

function scopeOf(file: string): string {
  return file.replace(/^\.kagi\/secrets\//, '').replace(/\.enc$/, '');
}

function fork(): World {
  return worldAt(copyToTemp(base.root, 'kagi-disk-'));
}

/** git kagi as alice under strace with `faults`, its output unseen (`kagiUnderStrace`). */
function underStrace(world: World, faults: string[], args: string[]): SpawnSyncReturns<string> {
  return kagiUnderStrace(world.alice, world.repo, ['-o', '/dev/null', ...faults], args);
}

/** The project's files a failed write must leave byte-identical. */
function snapshot(world: World): Record<string, string> {
  return snapshotTree(world.repo, { paths: [...stores, '.kagi/access.json', '.kagi/kagi.json'] });
}

function printenv(world: World, words: string[], name: string): string {
  return kagiOk(world.alice, world.repo, [
    'run',
    ...words,
    '--',
    'printenv',
    name,
  ]).stdout.trimEnd();
}

/** The failed command's output: one `error:` naming the problem, and no value anywhere. */
function expectDiskError(r: SpawnSyncReturns<string>, problem: RegExp): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(problem);
  expect(r.stderr).not.toMatch(/internal error/);
  for (const value of [OLD, NEW, ...Object.values(OTHER)]) {
    expect(r.stdout).not.toContain(value);
    expect(r.stderr).not.toContain(value);
  }
}

beforeAll(() => {
  base = worldAt(path.join(makeTempDir('kagi-disk-base-'), 'world'));
  makeRepo(base.alice, base.repo);
  kagiOk(base.alice, base.repo, ['init', '--name', 'alice', '--envs']);
  kagiOk(base.alice, base.repo, ['set', 'api', 'API_KEY', OLD]);
  kagiOk(base.alice, base.repo, ['set', 'web', 'WEB_TOKEN', OTHER.WEB_TOKEN]);
  kagiOk(base.alice, base.repo, ['set', 'production', 'PROD_URL', OTHER.PROD_URL]);
  git(base.alice, base.repo, ['add', '.']);
  git(base.alice, base.repo, ['commit', '-q', '-m', 'secrets']);
  stores = git(base.alice, base.repo, ['ls-files', '.kagi/secrets'])
    .stdout.split('\n')
    .filter((f) => f.endsWith('.enc'));
  expect(stores).toContain(STORE);
  rewritten = stores
    .filter((f) => readFileSync(path.join(base.repo, f), 'utf8').trimEnd().includes('\n'))
    .sort((a, b) => (scopeOf(a) < scopeOf(b) ? -1 : 1));
  expect(rewritten).toHaveLength(3);
});

describe('set on a full or read-only disk', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['the rename fails with ENOSPC', ['-e', 'inject=rename:error=ENOSPC'], /disk is full/],
    ['the rename fails with EROFS', ['-e', 'inject=rename:error=EROFS'], /read-only/],
    [
      'the fsync of the new file fails with ENOSPC',
      ['-e', 'inject=fsync:error=ENOSPC'],
      /disk is full/,
    ],
  ];
  for (const [title, faults, problem] of cases) {
    it(`${title}: clear error, the store is unchanged, nothing left behind`, () => {
      const world = fork();
      const before = snapshot(world);
      const r = underStrace(world, faults, ['set', 'api', 'API_KEY', NEW]);
      expectDiskError(r, problem);
      expect(r.stderr).toContain(STORE);
      expect(snapshot(world)).toEqual(before);
      expect(findLeftovers(world.root)).toEqual([]);
      expect(git(world.alice, world.repo, ['status', '--porcelain', '-uall']).stdout).toBe('');
      expect(printenv(world, ['api'], 'API_KEY')).toBe(OLD);
      // Once there is room again, the same command works.
      kagiOk(world.alice, world.repo, ['set', 'api', 'API_KEY', NEW]);
      expect(printenv(world, ['api'], 'API_KEY')).toBe(NEW);
      expect(findLeftovers(world.root)).toEqual([]);
    });
  }

  it('the write of the lock fails with ENOSPC: clear error, no lock left to block the next write', () => {
    const world = fork();
    const before = snapshot(world);
    const lock = path.join(world.repo, '.git', 'kagi', 'lock');
    const r = underStrace(
      world,
      ['-P', lock, '-e', 'trace=write', '-e', 'inject=write:error=ENOSPC'],
      ['set', 'api', 'API_KEY', NEW],
    );
    expectDiskError(r, /disk is full/);
    expect(snapshot(world)).toEqual(before);
    expect(findLeftovers(world.root)).toEqual([]);
    const started = Date.now();
    kagiOk(world.alice, world.repo, ['set', 'api', 'API_KEY', NEW]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(printenv(world, ['api'], 'API_KEY')).toBe(NEW);
  });
});

describe('a rotation on a full disk', () => {
  function epochs(world: World): number[] {
    const access = readAccess(world.repo);
    const lines = stores.flatMap((file) =>
      parseStore(readFileSync(path.join(world.repo, file), 'utf8'), scopeOf(file), file),
    );
    return [access.epoch, ...lines.map((l) => l.epoch)];
  }

  function expectReadable(world: World, value: string): void {
    expect(printenv(world, ['api'], 'API_KEY')).toBe(value);
    expect(printenv(world, ['web'], 'WEB_TOKEN')).toBe(OTHER.WEB_TOKEN);
    expect(printenv(world, ['production'], 'PROD_URL')).toBe(OTHER.PROD_URL);
  }

  it('failing at the journal: nothing happened, the old state is whole', () => {
    const world = fork();
    const before = snapshot(world);
    const r = underStrace(world, ['-e', 'inject=rename:error=ENOSPC:when=1'], ['rotate']);
    expectDiskError(r, /disk is full/);
    expect(snapshot(world)).toEqual(before);
    expect(findLeftovers(world.root)).toEqual([]);
    expectReadable(world, OLD);
    expect(new Set(epochs(world))).toEqual(new Set([1]));
  });

  // Renames: the journal, then each store, then access.json.
  for (const [n, what] of [
    [2, 'the first store'],
    [3, 'the second store'],
    [0, 'access.json'],
  ] as const) {
    it(`failing at ${what}: the error says the rotation is unfinished; the next command finishes it`, () => {
      const world = fork();
      const when = n || rewritten.length + 2;
      const r = underStrace(world, ['-e', `inject=rename:error=ENOSPC:when=${when}`], ['rotate']);
      expectDiskError(r, /disk is full/);
      // Some files are already rewritten: it must not claim that nothing changed.
      expect(r.stderr).not.toMatch(/nothing was changed/);
      expect(r.stderr).toMatch(/rotation .*unfinished/);
      expect(r.stderr).toContain(n ? rewritten[n - 2] : '.kagi/access.json');
      expect(existsSync(path.join(world.repo, '.git', 'kagi', 'rotation.json'))).toBe(true);
      // Still full: the finishing attempt fails cleanly and leaves the journal for later.
      const still = underStrace(world, ['-e', 'inject=rename:error=ENOSPC'], ['get', '--json']);
      expectDiskError(still, /disk is full/);
      expect(existsSync(path.join(world.repo, '.git', 'kagi', 'rotation.json'))).toBe(true);
      // Room again: any command finishes the rotation.
      expectReadable(world, OLD);
      expect(new Set(epochs(world))).toEqual(new Set([2]));
      expect(findLeftovers(world.root)).toEqual([]);
      kagiOk(world.alice, world.repo, ['set', 'api', 'API_KEY', NEW]);
      expectReadable(world, NEW);
    });
  }
});
