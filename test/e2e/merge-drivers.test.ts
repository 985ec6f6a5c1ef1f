// The merge drivers of DESIGN §5 through real `git merge`/`git pull` between teammates' clones of one
// bare repository: concurrent joins, concurrent edits of one scope, a merge across a rotation, no driver.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseStore } from '../../src/core/store.js';
import { deriveProjectKeys, parseRootKeyHex } from '../../src/crypto/keys.js';
import { computeTag } from '../../src/crypto/secret-line.js';
import {
  cleanup,
  DUMP_ENV,
  git,
  makePerson,
  makeTempDir,
  type Result,
  readAccess,
  readAccessText,
  readCachedKey,
} from './harness.js';
import {
  approveAndPush,
  cloneShared,
  commitKagi,
  joinProject,
  kagiIn,
  kagiOkIn,
  makeSharedRepo,
  requestAccess,
  type Teammate,
} from './team.js';

afterAll(() => cleanup());

const STORE = '.kagi/secrets/api/development.enc';
const NAMES = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8'];
const initial = (name: string) => `initial-value-of-${name}-x8Kq2`;

let world: string;
let origin: string;
let alice: Teammate;
let bob: Teammate;
let carol: Teammate;

/** The clone's main branch, equal to origin's, clean. */
function sync(c: Teammate): void {
  git(c.person, c.dir, ['fetch', '-q', 'origin']);
  git(c.person, c.dir, ['merge', '--abort'], true);
  git(c.person, c.dir, ['checkout', '-q', '-f', '-B', 'main', 'origin/main']);
  git(c.person, c.dir, ['clean', '-q', '-f', '-d']);
}

/** What a process started by `git kagi run api` sees, for the given names. */
function values(c: Teammate, names: readonly string[]): Record<string, string | undefined> {
  const r = kagiOkIn(c, ['run', 'api', '--', ...DUMP_ENV]);
  const env = JSON.parse(r.stdout) as Record<string, string>;
  return Object.fromEntries(names.map((n) => [n, env[n]]));
}

function storeText(c: Teammate): string {
  return readFileSync(path.join(c.dir, STORE), 'utf8');
}

function storeLines(c: Teammate) {
  return parseStore(storeText(c), 'api/development', STORE);
}

/** The tag of a name in api/development, from the root key `c`'s device caches. */
function tagOf(name: string, c: Teammate = alice): string {
  const hex = readCachedKey(c.person, readAccess(c.dir).project_id);
  const keys = deriveProjectKeys(parseRootKeyHex(hex) as Uint8Array);
  return computeTag(keys.env('development').tag, 'api/development', name);
}

/**
 * Two of NAMES whose lines are `gap` apart in the store of `c` as it is now (other tests add
 * secrets, and a rotation changes every tag).
 */
function pairApart(c: Teammate, gap: number): [string, string] {
  const rows = JSON.parse(kagiOkIn(c, ['get', '--json']).stdout) as Array<{
    scope: string;
    name: string;
    inherited_from: string | null;
  }>;
  const order = rows
    .filter((r) => r.scope === 'api/development' && r.inherited_from === null)
    .map((r) => r.name)
    .sort((a, b) => (tagOf(a, c) < tagOf(b, c) ? -1 : 1));
  expect(order).toHaveLength(storeLines(c).length);
  for (let i = 0; i + gap < order.length; i++) {
    const [x, y] = [order[i] as string, order[i + gap] as string];
    if (NAMES.includes(x) && NAMES.includes(y)) return [x, y];
  }
  throw new Error(`no two lines ${gap} apart`);
}

function unmerged(c: Teammate): string[] {
  return git(c.person, c.dir, ['diff', '--name-only', '--diff-filter=U'])
    .stdout.split('\n')
    .filter(Boolean);
}

/**
 * alice created the project with S1…S8 in api/development; bob and carol joined and were approved;
 * everything is on origin/main. Each test starts with alice and bob synced to origin/main.
 */
beforeAll(() => {
  world = makeTempDir('kagi-merge-');
  const a = makePerson('alice');
  origin = makeSharedRepo(a, path.join(world, 'origin.git'));
  alice = cloneShared(a, origin);
  kagiOkIn(alice, ['init', '--name', 'alice']);
  for (const n of NAMES) kagiOkIn(alice, ['set', 'api', n, initial(n)]);
  git(a, alice.dir, ['add', '--', '.kagi', '.gitattributes', '.gitignore']);
  git(a, alice.dir, ['commit', '-q', '-m', 'git-kagi']);
  git(a, alice.dir, ['push', '-q', '-u', 'origin', 'main']);

  bob = cloneShared(makePerson('bob'), origin);
  const bobId = requestAccess(bob);
  carol = cloneShared(makePerson('carol'), origin);
  const carolId = requestAccess(carol);
  approveAndPush(alice, [bobId, carolId], 'approve bob and carol');
});

beforeEach(() => {
  for (const c of [alice, bob]) sync(c);
});

describe('access.json', () => {
  it('merges two PRs that each add a join request with no conflict; both requests survive', () => {
    const dave = cloneShared(makePerson('dave'), origin);
    const erin = cloneShared(makePerson('erin'), origin);
    git(dave.person, dave.dir, ['checkout', '-q', '-b', 'join-dave']);
    const daveId = joinProject(dave.person, dave.dir);
    commitKagi(dave, 'dave asks for access');
    git(dave.person, dave.dir, ['push', '-q', 'origin', 'join-dave']);
    git(erin.person, erin.dir, ['checkout', '-q', '-b', 'join-erin']);
    const erinId = joinProject(erin.person, erin.dir);
    commitKagi(erin, 'erin asks for access');
    git(erin.person, erin.dir, ['push', '-q', 'origin', 'join-erin']);

    // The reviewer merges both PRs, each with a merge commit, as a hosting site's "merge" would.
    git(bob.person, bob.dir, ['fetch', '-q', 'origin']);
    const first = git(bob.person, bob.dir, [
      'merge',
      '--no-ff',
      '-m',
      'PR dave',
      'origin/join-dave',
    ]);
    expect(first.code).toBe(0);
    const second = git(
      bob.person,
      bob.dir,
      ['merge', '--no-ff', '-m', 'PR erin', 'origin/join-erin'],
      true,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(unmerged(bob)).toEqual([]);
    expect(readAccessText(bob.dir)).not.toContain('<<<<');

    const access = readAccess(bob.dir);
    const byId = new Map(access.members.map((m) => [m.id, m]));
    expect(byId.get(daveId)).toMatchObject({ name: 'dave', status: 'pending' });
    expect(byId.get(erinId)).toMatchObject({ name: 'erin', status: 'pending' });
    expect(
      [...byId.values()]
        .filter((m) => m.status === 'active')
        .map((m) => m.name)
        .sort(),
    ).toEqual(['alice', 'bob', 'carol']);
    // The merged file is what git kagi writes: its members still verify, both can be approved.
    const list = JSON.parse(kagiOkIn(bob, ['member', 'list', '--json']).stdout);
    expect(
      list.members.every(
        (m: { seal_ok?: boolean; status: string }) => m.status !== 'active' || m.seal_ok,
      ),
    ).toBe(true);
    kagiOkIn(bob, ['member', 'approve', daveId, '--yes']);
    kagiOkIn(bob, ['member', 'approve', erinId, '--yes']);
  });

  it('re-wraps a member approved on a branch while main rotated the key', () => {
    const dave = cloneShared(makePerson('dave'), origin, path.join(world, 'dave-approved'));
    const daveId = joinProject(dave.person, dave.dir);
    commitKagi(dave, 'dave asks for access');
    git(dave.person, dave.dir, ['push', '-q', 'origin', 'main']);
    sync(bob);
    git(bob.person, bob.dir, ['checkout', '-q', '-b', 'approve-dave']);
    kagiOkIn(bob, ['member', 'approve', daveId, '--yes']);
    commitKagi(bob, 'approve dave');
    git(bob.person, bob.dir, ['push', '-q', 'origin', 'approve-dave']);
    sync(alice);
    kagiOkIn(alice, ['rotate']);
    commitKagi(alice, 'rotate the key');

    git(alice.person, alice.dir, ['fetch', '-q', 'origin']);
    const merge = git(alice.person, alice.dir, ['merge', '--no-edit', 'origin/approve-dave'], true);
    expect(merge.code, merge.stdout + merge.stderr).toBe(0);
    expect(merge.stderr).toContain(`re-wrapped member ${daveId}`);
    const access = readAccess(alice.dir);
    expect(access.members.find((m) => m.id === daveId)?.status).toBe('active');
    const list = JSON.parse(kagiOkIn(alice, ['member', 'list', '--json']).stdout);
    expect(list.members.find((m: { id: string }) => m.id === daveId)).toMatchObject({
      seal_ok: true,
    });
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);

    git(dave.person, dave.dir, ['pull', '-q']);
    expect(values(dave, ['S8'])).toEqual(values(alice, ['S8']));
  });
});

describe('stores', () => {
  it('merges concurrent edits of different secrets of one scope, even on adjacent lines', () => {
    const [x, y] = pairApart(alice, 1); // two adjacent lines of the store
    const before = values(alice, NAMES);
    const base = storeLines(bob);
    kagiOkIn(alice, ['set', 'api', x, 'alice-changed-x-Q9w']);
    kagiOkIn(alice, ['set', 'api', 'ALICE_NEW', 'alice-added-value-3Lp']);
    commitKagi(alice, `alice changes ${x}`);
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);
    kagiOkIn(bob, ['set', 'api', y, 'bob-changed-y-Z7r']);
    kagiOkIn(bob, ['set', 'api', 'BOB_NEW', 'bob-added-value-8Mn']);
    commitKagi(bob, `bob changes ${y}`);

    const pull = git(bob.person, bob.dir, ['pull', '-q', '--no-edit'], true);
    expect(pull.code, pull.stderr).toBe(0);
    expect(unmerged(bob)).toEqual([]);
    const got = values(bob, [...NAMES, 'ALICE_NEW', 'BOB_NEW']);
    expect(got).toEqual({
      ...before,
      [x]: 'alice-changed-x-Q9w',
      [y]: 'bob-changed-y-Z7r',
      ALICE_NEW: 'alice-added-value-3Lp',
      BOB_NEW: 'bob-added-value-8Mn',
    });
    // Lines neither side touched are byte-identical: the merge re-encrypted nothing.
    const merged = storeLines(bob);
    const changed = new Set([tagOf(x), tagOf(y)]);
    for (const line of base.filter((l) => !changed.has(l.tag))) expect(merged).toContainEqual(line);
    expect(merged).toHaveLength(base.length + 2);
  });

  it('merges the same secret changed to the same value on both sides', () => {
    const before = values(alice, ['S6']);
    kagiOkIn(alice, ['set', 'api', 'S5', 'same-new-value-on-both-sides']);
    commitKagi(alice, 'alice changes S5');
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);
    kagiOkIn(bob, ['set', 'api', 'S5', 'same-new-value-on-both-sides']);
    commitKagi(bob, 'bob changes S5 the same way');
    expect(storeText(bob)).not.toBe(storeText(alice)); // fresh nonces: only a key can tell

    const pull = git(bob.person, bob.dir, ['pull', '-q', '--no-edit'], true);
    expect(pull.code, pull.stderr).toBe(0);
    expect(unmerged(bob)).toEqual([]);
    expect(values(bob, ['S5', 'S6'])).toEqual({
      S5: 'same-new-value-on-both-sides',
      ...before,
    });
  });

  it('stops on one secret changed two ways, naming the secret and never a value', () => {
    const before = values(alice, ['S6']);
    const ours = 'bob-way-of-S6-value-Jk3';
    const theirs = 'alice-way-of-S6-value-Pq8';
    kagiOkIn(alice, ['set', 'api', 'S6', theirs]);
    kagiOkIn(alice, ['set', 'api', 'S1', 'alice-also-changed-S1']);
    commitKagi(alice, 'alice changes S6');
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);
    kagiOkIn(bob, ['set', 'api', 'S6', ours]);
    commitKagi(bob, 'bob changes S6 another way');

    const pull = git(bob.person, bob.dir, ['pull', '--no-edit'], true);
    expect(pull.code).not.toBe(0);
    const output = pull.stdout + pull.stderr;
    expect(output).toMatch(/CONFLICT \(content\).*api\/development\.enc/);
    expect(output).toContain('S6');
    expect(output).toContain('git kagi resolve');
    for (const v of [ours, theirs, 'alice-also-changed-S1', ...Object.values(before)])
      expect(output).not.toContain(v);
    // The merge is unfinished: git shows the store unmerged and refuses to commit it.
    expect(unmerged(bob)).toEqual([STORE]);
    expect(git(bob.person, bob.dir, ['status', '--porcelain']).stdout).toContain(`UU ${STORE}`);
    expect(git(bob.person, bob.dir, ['rev-parse', '-q', '--verify', 'MERGE_HEAD']).code).toBe(0);
    const text = storeText(bob);
    expect(text).toMatch(/^<<<<<<< /m);
    for (const v of [ours, theirs]) expect(text).not.toContain(v);
  });

  it('merges a branch that added a secret before a rotation: every line at the new epoch', () => {
    const before = values(alice, ['S4']);
    git(bob.person, bob.dir, ['checkout', '-q', '-b', 'feature']);
    kagiOkIn(bob, ['set', 'api', 'FEATURE_FLAG_KEY', 'added-before-rotation-Vb4']);
    kagiOkIn(bob, ['set', 'api', 'S2', 'changed-before-rotation-Wc5']);
    commitKagi(bob, 'feature: new secret');
    git(bob.person, bob.dir, ['push', '-q', 'origin', 'feature']);
    kagiOkIn(alice, ['set', 'api', 'S3', 'changed-on-main-Xd6']);
    kagiOkIn(alice, ['rotate']);
    commitKagi(alice, 'rotate the key');
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);
    const epoch = readAccess(alice.dir).epoch;
    expect(epoch).toBeGreaterThan(1);

    git(alice.person, alice.dir, ['fetch', '-q', 'origin']);
    const merge = git(alice.person, alice.dir, ['merge', '--no-edit', 'origin/feature'], true);
    expect(merge.code, merge.stdout + merge.stderr).toBe(0);
    expect(unmerged(alice)).toEqual([]);
    expect(readAccess(alice.dir).epoch).toBe(epoch);
    expect(new Set(storeLines(alice).map((l) => l.epoch))).toEqual(new Set([epoch]));
    expect(values(alice, ['FEATURE_FLAG_KEY', 'S2', 'S3', 'S4'])).toEqual({
      FEATURE_FLAG_KEY: 'added-before-rotation-Vb4',
      S2: 'changed-before-rotation-Wc5',
      S3: 'changed-on-main-Xd6',
      ...before,
    });
  });

  it('merges main after a rotation into a branch made before it, on the branch author’s device', () => {
    const before = values(alice, ['S7']);
    git(bob.person, bob.dir, ['checkout', '-q', '-b', 'feature-2']);
    kagiOkIn(bob, ['set', 'api', 'BRANCH_SECRET', 'added-on-old-branch-Ye7']);
    commitKagi(bob, 'feature-2: new secret');
    kagiOkIn(alice, ['rotate']);
    commitKagi(alice, 'rotate the key');
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);
    const epoch = readAccess(alice.dir).epoch;

    git(bob.person, bob.dir, ['fetch', '-q', 'origin']);
    const merge = git(bob.person, bob.dir, ['merge', '--no-edit', 'origin/main'], true);
    expect(merge.code, merge.stdout + merge.stderr).toBe(0);
    expect(unmerged(bob)).toEqual([]);
    expect(readAccess(bob.dir).epoch).toBe(epoch);
    expect(new Set(storeLines(bob).map((l) => l.epoch))).toEqual(new Set([epoch]));
    expect(values(bob, ['BRANCH_SECRET', 'S7'])).toEqual({
      BRANCH_SECRET: 'added-on-old-branch-Ye7',
      ...before,
    });
  });

  it('merges criss-crossed histories (a recursive merge over a virtual base)', () => {
    kagiOkIn(alice, ['set', 'api', 'S1', 'criss-cross-S1-a']);
    commitKagi(alice, 'alice: S1');
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'HEAD:refs/heads/cross-a']);
    git(bob.person, bob.dir, ['checkout', '-q', '-b', 'cross-b']);
    kagiOkIn(bob, ['set', 'api', 'S2', 'criss-cross-S2-b']);
    commitKagi(bob, 'bob: S2');
    git(bob.person, bob.dir, ['push', '-q', 'origin', 'cross-b']);
    for (const c of [alice, bob]) git(c.person, c.dir, ['fetch', '-q', 'origin']);
    expect(git(alice.person, alice.dir, ['merge', '--no-edit', 'origin/cross-b'], true).code).toBe(
      0,
    );
    expect(git(bob.person, bob.dir, ['merge', '--no-edit', 'origin/cross-a'], true).code).toBe(0);
    kagiOkIn(alice, ['set', 'api', 'S3', 'criss-cross-S3-a']);
    commitKagi(alice, 'alice: S3');
    kagiOkIn(bob, ['set', 'api', 'S4', 'criss-cross-S4-b']);
    commitKagi(bob, 'bob: S4');
    git(bob.person, bob.dir, ['push', '-q', 'origin', 'cross-b']);
    git(alice.person, alice.dir, ['fetch', '-q', 'origin']);
    const bases = git(alice.person, alice.dir, ['merge-base', '--all', 'HEAD', 'origin/cross-b']);
    expect(bases.stdout.trim().split('\n')).toHaveLength(2); // criss-cross: two merge bases

    const merge = git(alice.person, alice.dir, ['merge', '--no-edit', 'origin/cross-b'], true);
    expect(merge.code, merge.stdout + merge.stderr).toBe(0);
    expect(unmerged(alice)).toEqual([]);
    expect(values(alice, ['S1', 'S2', 'S3', 'S4'])).toEqual({
      S1: 'criss-cross-S1-a',
      S2: 'criss-cross-S2-b',
      S3: 'criss-cross-S3-a',
      S4: 'criss-cross-S4-b',
    });
  });

  // A scope created on a branch made before a rotation arrives by a clean merge (only one side added
  // the file, so no merge driver runs) with its lines at the old epoch: the post-merge hook
  // re-encrypts them when the key is at hand and says to commit.
  it('a new scope from a branch made before a rotation reads after the merge', () => {
    git(bob.person, bob.dir, ['checkout', '-q', '-b', 'new-scope']);
    kagiOkIn(bob, ['set', 'web', 'WEB_TOKEN', 'new-scope-before-rotation-Zf8']);
    commitKagi(bob, 'web: first secret');
    git(bob.person, bob.dir, ['push', '-q', 'origin', 'new-scope']);
    kagiOkIn(alice, ['rotate']);
    commitKagi(alice, 'rotate the key');
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']); // the next tests start from it
    git(alice.person, alice.dir, ['fetch', '-q', 'origin']);
    const merge = git(alice.person, alice.dir, ['merge', '--no-edit', 'origin/new-scope'], true);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toMatch(/re-encrypted/);
    const get = kagiIn(alice, ['get', '--json']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('WEB_TOKEN');
    expect(kagiIn(alice, ['verify']).code).toBe(0);
    commitKagi(alice, 'kagi: re-encrypt the merged scope');
  });
});

describe('without the merge drivers (a clone that never ran git kagi)', () => {
  let plain: Teammate;
  beforeAll(() => {
    plain = cloneShared(carol.person, origin, path.join(world, 'carol-plain'));
  });

  /** alice changes `mine` on main, bob `theirs` on a branch; `plain` merges with git's text merge. */
  function mergeWithoutDriver(
    branch: string,
    mine: Record<string, string>,
    theirs: Record<string, string>,
  ) {
    for (const [name, value] of Object.entries(mine)) kagiOkIn(alice, ['set', 'api', name, value]);
    commitKagi(alice, `alice: ${branch}`);
    git(alice.person, alice.dir, ['push', '-q', 'origin', 'main']);
    git(bob.person, bob.dir, ['checkout', '-q', '-b', branch]);
    for (const [name, value] of Object.entries(theirs)) kagiOkIn(bob, ['set', 'api', name, value]);
    commitKagi(bob, `bob: ${branch}`);
    git(bob.person, bob.dir, ['push', '-q', 'origin', branch]);

    sync(plain);
    for (const section of ['merge.kagi-store', 'merge.kagi-access', 'diff.kagi'])
      git(plain.person, plain.dir, ['config', '--local', '--remove-section', section], true);
    expect(git(plain.person, plain.dir, ['config', '--get-regexp', 'kagi'], true).stdout).toBe('');
    return git(plain.person, plain.dir, ['merge', '--no-edit', `origin/${branch}`], true);
  }

  /** Either a store every line of which reads, or a conflict git reports: never a broken "merge". */
  function expectReadableOrConflict(
    merge: Result,
    expected: Record<string, string>,
  ): 'clean' | 'conflict' {
    if (merge.code !== 0) {
      expect(merge.stdout + merge.stderr).toMatch(/CONFLICT \(content\)/);
      expect(unmerged(plain)).toEqual([STORE]);
      return 'conflict';
    }
    expect(unmerged(plain)).toEqual([]);
    const get = kagiIn(plain, ['get', '--json']);
    expect(get.code, get.stderr).toBe(0);
    expect(values(plain, Object.keys(expected))).toEqual(expected);
    return 'clean';
  }

  it('merges edits of secrets two lines apart cleanly, and the store reads', () => {
    const [x, y] = pairApart(alice, 2);
    const merge = mergeWithoutDriver(
      'plain-apart',
      { [x]: 'plain-x-value-1aA' },
      { [y]: 'plain-y-value-2bB' },
    );
    expect(
      expectReadableOrConflict(merge, { [x]: 'plain-x-value-1aA', [y]: 'plain-y-value-2bB' }),
    ).toBe('clean');
  });

  it('reports a conflict for edits of adjacent lines instead of a broken store', () => {
    const [x, y] = pairApart(alice, 1);
    const merge = mergeWithoutDriver(
      'plain-adjacent',
      { [x]: 'plain-x-value-3cC' },
      { [y]: 'plain-y-value-4dD' },
    );
    expect(
      expectReadableOrConflict(merge, { [x]: 'plain-x-value-3cC', [y]: 'plain-y-value-4dD' }),
    ).toBe('conflict');
  });

  it('gives a readable store or a conflict for secrets added on both sides', () => {
    const added: Record<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      const mine = { [`PLAIN_A${i}`]: `plain-added-a${i}-value` };
      const theirs = { [`PLAIN_B${i}`]: `plain-added-b${i}-value` };
      added.push(mine, theirs);
      const merge = mergeWithoutDriver(`plain-added-${i}`, mine, theirs);
      expectReadableOrConflict(merge, { ...mine, ...theirs });
      git(plain.person, plain.dir, ['merge', '--abort'], true);
      sync(bob);
    }
  });
});
