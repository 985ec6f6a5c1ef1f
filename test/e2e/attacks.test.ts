// Every attack of issue 3 made as an attacker would (mallory edits .kagi/, commits and pushes):
// forged entries, swapped recipients, a substituted key, a broken history. No honest command may help.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessFile, Member } from '../../src/core/access.js';
import { formatScope, parseScopePath } from '../../src/core/scope.js';
import { formatStore, parseStore, type StoreLine } from '../../src/core/store.js';
import {
  identityToRecipient,
  parseIdentityFile,
  unwrapKey,
  wrapKey,
} from '../../src/crypto/age.js';
import { computeProof, sealHistoryKey } from '../../src/crypto/history.js';
import {
  deriveProjectKeys,
  formatRootKey,
  generateRootKey,
  type ProjectKeys,
  parseRootKeyHex,
} from '../../src/crypto/keys.js';
import { computeSeal } from '../../src/crypto/seal.js';
import { decryptSecret, encryptSecret } from '../../src/crypto/secret-line.js';
import {
  cleanup,
  copyToTemp,
  git,
  kagi,
  makePersonIn,
  makeTempDir,
  type Result,
  readAccess,
  readCachedKey,
  writeAccess,
} from './harness.js';
import {
  approveAndPush,
  cloneShared,
  commitAndPush,
  kagiIn,
  kagiOkIn,
  makeSharedRepo,
  pull,
  requestAccess,
  type Teammate,
} from './team.js';

const VALUES = {
  KEY: 'honest-api-key-Pq8vR3nW',
  DB_URL: 'postgres://honest-prod-Zt5kM1',
};
const PLANTED = 'mallory-planted-Xc2bN7'; // what mallory wants alice's apps to run with

type Name = 'alice' | 'bob' | 'carol' | 'mallory';
type World = Record<Name, Teammate> & { root: string; projectId: string };

const NAMES: Name[] = ['alice', 'bob', 'carol', 'mallory'];
let base: World;
let ids: { alice: string; bob: string; carol: string };
let mallory: { identity: string; recipient: string };

/** A teammate of the world at `root`: home and clone inside it, so a copy of `root` is a fork. */
function actorAt(root: string, name: Name): Teammate {
  return { person: makePersonIn(root, name), dir: path.join(root, name, 'repo') };
}

/** Commits .kagi/ and pushes; mallory skips the hooks, as an attacker would. */
function pushAll(who: Teammate, message: string): void {
  commitAndPush(who, message, { noVerify: who.person.name === 'mallory' });
}

function member(access: AccessFile, id: string): Member {
  const found = access.members.find((m) => m.id === id);
  if (!found) throw new Error(`no member ${id}`);
  return found;
}

/** The root key a device trusts (its key cache), as bytes. */
function cachedRoot(who: Teammate, projectId: string): Uint8Array {
  return parseRootKeyHex(readCachedKey(who.person, projectId)) as Uint8Array;
}

function readPin(who: Teammate, projectId: string): { epoch: number; key_id: string } {
  return JSON.parse(
    readFileSync(path.join(who.person.home, 'projects', `${projectId}.pin`), 'utf8'),
  );
}

/** Every root key mallory can unwrap from any wrapped_key of access.json. */
async function keysMalloryUnwraps(access: AccessFile): Promise<string[]> {
  const out: string[] = [];
  for (const m of access.members) {
    if (!m.wrapped_key) continue;
    try {
      out.push(new TextDecoder().decode(await unwrapKey(m.wrapped_key, mallory.identity, m.id)));
    } catch {}
  }
  return out;
}

async function expectNoRealKeyForMallory(access: AccessFile, real: Uint8Array[]): Promise<void> {
  const loot = await keysMalloryUnwraps(access);
  for (const key of real) expect(loot).not.toContain(formatRootKey(key));
}

/** A copy of the base world (bare repository, clones, homes), remotes pointing at the copy. */
function copyWorld(): World {
  const root = copyToTemp(base.root, 'kagi-attack-');
  const world = { root, projectId: base.projectId } as World;
  for (const name of NAMES) {
    world[name] = actorAt(root, name);
    git(world[name].person, world[name].dir, [
      'remote',
      'set-url',
      'origin',
      path.join(root, 'shared.git'),
    ]);
  }
  return world;
}

/** Store files of a checkout with their scope. */
function listStores(who: Teammate): Array<{ file: string; scope: string; env: string }> {
  const out = git(who.person, who.dir, ['ls-files', '-z', '--', '.kagi/secrets']).stdout;
  return out
    .split('\0')
    .filter(Boolean)
    .map((file) => {
      const scope = parseScopePath(file.slice('.kagi/secrets/'.length));
      if (!scope) throw new Error(`not a store: ${file}`);
      return { file, scope: formatScope(scope), env: scope.env };
    });
}

function readLines(who: Teammate, file: string, scope: string): StoreLine[] {
  return parseStore(readFileSync(path.join(who.dir, file), 'utf8'), scope, file);
}

/** A line of the checkout that decrypts under `keys` (at the line's own epoch), if any. */
function linesDecryptingUnder(who: Teammate, projectId: string, keys: ProjectKeys): string[] {
  const found: string[] = [];
  for (const { file, scope, env } of listStores(who)) {
    for (const line of readLines(who, file, scope)) {
      try {
        const ctx = { projectId, scope, epoch: line.epoch };
        found.push(`${scope}: ${decryptSecret(keys.env(env), ctx, line, file).name}`);
      } catch {}
    }
  }
  return found;
}

/** A command that must stop with exit 4 and change nothing in the checkout. */
function expectRefused(who: Teammate, args: string[], message: RegExp): Result {
  const r = kagiIn(who, args);
  expect(r.code, `${who.person.name}: git kagi ${args.join(' ')}: ${r.stderr}`).toBe(4);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(message);
  for (const value of [...Object.values(VALUES), PLANTED])
    expect(r.stdout + r.stderr).not.toContain(value);
  expect(git(who.person, who.dir, ['status', '--porcelain', '--', '.kagi']).stdout).toBe('');
  expect(existsSync(path.join(who.dir, '.git', 'kagi', 'rotation.json'))).toBe(false);
  return r;
}

/** Mallory's device cannot read anything in `dir` (her clone unless named): exit 3 or 4. */
function expectMalloryLockedOut(world: World, dir = world.mallory.dir): void {
  for (const args of [['get'], ['run', 'api', '--', 'env']]) {
    const r = kagi(world.mallory.person, dir, args);
    expect([3, 4], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
    expect(r.stderr).toMatch(/^error: /m);
    for (const value of Object.values(VALUES)) expect(r.stdout + r.stderr).not.toContain(value);
  }
}

beforeAll(() => {
  const root = makeTempDir('kagi-attacks-base-');
  const bare = makeSharedRepo(makePersonIn(root, 'alice'), path.join(root, 'shared.git'));
  const world = { root, projectId: '' } as World;
  for (const name of NAMES) {
    const { person, dir } = actorAt(root, name);
    world[name] = cloneShared(person, bare, dir);
  }
  const alice = world.alice;
  world.projectId = kagiOkIn(alice, ['init', '--name', 'alice', '--envs']).stdout.trim();
  kagiOkIn(alice, ['set', 'api', 'KEY', VALUES.KEY]);
  kagiOkIn(alice, ['set', 'production', 'DB_URL', VALUES.DB_URL]);
  git(alice.person, alice.dir, ['add', '.']);
  git(alice.person, alice.dir, ['commit', '-q', '-m', 'kagi: init']);
  git(alice.person, alice.dir, ['push', '-q', 'origin', 'HEAD:main']);

  pull(world.bob);
  const bobId = requestAccess(world.bob, 'kagi: bob joins');
  approveAndPush(alice, [bobId], 'kagi: approve bob');
  pull(world.bob);
  expect(kagiIn(world.bob, ['run', 'api', '--', 'printenv', 'KEY']).stdout).toBe(`${VALUES.KEY}\n`);

  pull(world.carol);
  const carolId = requestAccess(world.carol, 'kagi: carol joins');
  pull(alice);

  // Mallory clones and gets an age identity the ordinary way, then drops her join request.
  pull(world.mallory);
  kagiOkIn(world.mallory, ['join', '--name', 'mallory']);
  git(world.mallory.person, world.mallory.dir, ['checkout', '--', '.kagi/access.json']);
  pull(world.mallory);

  const aliceId = readAccess(alice.dir).members.find((m) => m.name === 'alice')?.id as string;
  ids = { alice: aliceId, bob: bobId, carol: carolId };
  base = world;
});

beforeAll(async () => {
  const text = readFileSync(path.join(base.mallory.person.home, 'identity.txt'), 'utf8');
  const identity = parseIdentityFile(text) as string;
  const recipient = /^# public key: (age1\S+)$/m.exec(text)?.[1] as string;
  expect(await identityToRecipient(identity)).toBe(recipient);
  mallory = { identity, recipient };
});

afterAll(() => cleanup());

describe('a. a forged "active" entry for mallory', () => {
  const forgeries: Array<[string, (entry: Member, world: World) => Promise<void>]> = [
    [
      'no seal, no wrapped key',
      async (entry) => {
        entry.seal = undefined;
        entry.wrapped_key = undefined;
      },
    ],
    [
      'a garbage seal and a garbage wrapped key',
      async (entry) => {
        entry.seal = Buffer.alloc(32, 7).toString('base64url');
        entry.wrapped_key =
          '-----BEGIN AGE ENCRYPTED FILE-----\nbm90IGFuIGFnZSBmaWxl\n-----END AGE ENCRYPTED FILE-----\n';
      },
    ],
    [
      'a seal and a wrapped key made with a key mallory made up',
      async (entry, world) => {
        const fake = generateRootKey();
        const epoch = readAccess(world.mallory.dir).epoch;
        entry.wrapped_key = await wrapKey(
          new TextEncoder().encode(formatRootKey(fake)),
          mallory.recipient,
        );
        entry.seal = computeSeal(deriveProjectKeys(fake).seal, world.projectId, epoch, entry);
      },
    ],
  ];

  for (const [what, forge] of forgeries) {
    it(`${what}: flagged by member list; approve and rotate never wrap to mallory`, async () => {
      const w = copyWorld();
      const realKey = cachedRoot(w.alice, w.projectId);

      // Mallory requests access the ordinary way, then makes herself "active" by hand.
      const mid = kagiOkIn(w.mallory, ['join', '--name', 'mallory']).stdout.trim();
      const forged = readAccess(w.mallory.dir);
      const entry = member(forged, mid);
      Object.assign(entry, {
        status: 'active',
        approved_by: ids.alice,
        approved_at: new Date().toISOString(),
      });
      await forge(entry, w);
      writeAccess(w.mallory.dir, forged);
      pushAll(w.mallory, 'kagi: add mallory');
      const forgedEntry = member(readAccess(w.mallory.dir), mid);
      expectMalloryLockedOut(w);

      pull(w.alice);
      const list = kagiIn(w.alice, ['member', 'list']);
      expect(list.code).toBe(4);
      expect(list.stdout).toMatch(new RegExp(`${mid} .*SEAL DOES NOT VERIFY`));
      expect(list.stderr).toMatch(/^error: some member entries carry a seal that does not verify/m);
      const json = kagiIn(w.alice, ['member', 'list', '--json']);
      expect(json.code).toBe(4);
      const seals = Object.fromEntries(
        JSON.parse(json.stdout).members.map((m: { id: string; seal_ok: unknown }) => [
          m.id,
          m.seal_ok,
        ]),
      );
      expect(seals).toEqual({
        [ids.alice]: true,
        [ids.bob]: true,
        [ids.carol]: null,
        [mid]: false,
      });

      // Approving someone else touches carol's entry alone.
      kagiOkIn(w.alice, ['member', 'approve', ids.carol, '--yes']);
      expect(member(readAccess(w.alice.dir), mid)).toEqual(forgedEntry);
      await expectNoRealKeyForMallory(readAccess(w.alice.dir), [realKey]);

      const rotated = kagiOkIn(w.alice, ['rotate']);
      expect(rotated.stderr).toContain(
        `warning: not re-wrapped to ${mid}: its seal does not verify`,
      );
      const after = readAccess(w.alice.dir);
      expect(after.epoch).toBe(2);
      expect(member(after, mid).wrapped_key).toBeUndefined();
      for (const id of [ids.alice, ids.bob, ids.carol])
        expect(member(after, id).wrapped_key).toBeTruthy();
      const newKey = cachedRoot(w.alice, w.projectId);
      await expectNoRealKeyForMallory(after, [realKey, newKey]);
      expectMalloryLockedOut(w, w.alice.dir);

      // Alice drops the forged entry (another rotation); what she pushes gives mallory nothing.
      kagiOkIn(w.alice, ['member', 'remove', mid, '--yes']);
      const cleaned = readAccess(w.alice.dir);
      expect(member(cleaned, mid).status).toBe('removed');
      expect(member(cleaned, mid).wrapped_key).toBeUndefined();
      await expectNoRealKeyForMallory(cleaned, [realKey, newKey, cachedRoot(w.alice, w.projectId)]);
      pushAll(w.alice, 'kagi: approve carol, drop a forged entry');
      pull(w.mallory);
      expectMalloryLockedOut(w);
      for (const who of [w.bob, w.carol]) {
        pull(who);
        expect(kagiIn(who, ['run', 'api', '--', 'printenv', 'KEY']).stdout).toBe(`${VALUES.KEY}\n`);
      }
    });
  }
});

describe("b. a member's recipient swapped for mallory's, the seal kept", () => {
  async function swap(w: World, victim: 'alice' | 'bob'): Promise<void> {
    const access = readAccess(w.mallory.dir);
    const entry = member(access, ids[victim]);
    expect(entry.recipient).not.toBe(mallory.recipient);
    entry.recipient = mallory.recipient;
    writeAccess(w.mallory.dir, access);
    pushAll(w.mallory, `kagi: update ${victim}`);
    // The entry still holds the key wrapped to the victim's own recipient.
    expectMalloryLockedOut(w);
    pull(w.alice);
    const list = kagiIn(w.alice, ['member', 'list', '--json']);
    expect(list.code).toBe(4);
    const seals = JSON.parse(list.stdout).members.map((m: { id: string; seal_ok: unknown }) => [
      m.id,
      m.seal_ok,
    ]);
    expect(seals).toContainEqual([ids[victim], false]);
    expect(seals.filter(([, ok]: [string, unknown]) => ok === false)).toHaveLength(1);
  }

  it("bob's entry: flagged; rotation does not wrap to it; mallory cannot read; bob rejoins", async () => {
    const w = copyWorld();
    const realKey = cachedRoot(w.alice, w.projectId);
    await swap(w, 'bob');

    const rotated = kagiOkIn(w.alice, ['rotate']);
    expect(rotated.stderr).toContain(
      `warning: not re-wrapped to ${ids.bob}: its seal does not verify`,
    );
    const after = readAccess(w.alice.dir);
    expect(after.epoch).toBe(2);
    expect(member(after, ids.bob).wrapped_key).toBeUndefined();
    const newKey = cachedRoot(w.alice, w.projectId);
    await expectNoRealKeyForMallory(after, [realKey, newKey]);
    expectMalloryLockedOut(w, w.alice.dir);

    // Recovery: alice removes the tampered entry, bob asks again from his device.
    kagiOkIn(w.alice, ['member', 'remove', ids.bob, '--yes']);
    await expectNoRealKeyForMallory(readAccess(w.alice.dir), [realKey, newKey]);
    pushAll(w.alice, 'kagi: drop a tampered entry');
    pull(w.mallory);
    expectMalloryLockedOut(w);
    pull(w.bob);
    expect(kagiIn(w.bob, ['get']).code).toBe(3);
    const again = kagiOkIn(w.bob, ['join', '--name', 'bob']).stdout.trim();
    expect(again).not.toBe(ids.bob);
    pushAll(w.bob, 'kagi: bob joins again');
    pull(w.alice);
    kagiOkIn(w.alice, ['member', 'approve', again, '--yes']);
    pushAll(w.alice, 'kagi: approve bob');
    pull(w.bob);
    expect(kagiIn(w.bob, ['run', 'api', '--', 'printenv', 'KEY']).stdout).toBe(`${VALUES.KEY}\n`);
  });

  it("alice's own entry: flagged; she cannot rotate or approve until it is fixed; mallory cannot read", async () => {
    const w = copyWorld();
    const realKey = cachedRoot(w.alice, w.projectId);
    await swap(w, 'alice');
    // Rotating needs a verified entry of one's own: a broken one would be rotated away.
    const rotated = kagiIn(w.alice, ['rotate']);
    expect(rotated.code).toBe(3);
    expect(rotated.stderr).toMatch(/^error: only an active member/m);
    const after = readAccess(w.alice.dir);
    expect(after.epoch).toBe(1);
    await expectNoRealKeyForMallory(after, [realKey, cachedRoot(w.alice, w.projectId)]);
    expectMalloryLockedOut(w, w.alice.dir);
    // Approving and adding members need a verified entry of one's own.
    const approve = kagiIn(w.alice, ['member', 'approve', ids.carol, '--yes']);
    expect(approve.code).toBe(3);
    expect(member(readAccess(w.alice.dir), ids.carol).wrapped_key).toBeUndefined();
  });
});

interface Substitution {
  /** Mallory's root key. */
  keys: ProjectKeys;
  epoch: number;
}

/**
 * Mallory replaces the whole key: her own root key at `epoch`, every store re-encrypted with her
 * values, and access.json rewritten to match: every active member (and she) wrapped and sealed
 * under her key, with the best history she can make: a chain to a key she invented.
 */
async function substituteKey(w: World, epoch: number): Promise<Substitution> {
  const m = w.mallory;
  const real = readAccess(m.dir);
  const root = generateRootKey();
  const keys = deriveProjectKeys(root);
  const now = new Date().toISOString();
  for (const { file, scope, env } of listStores(m)) {
    const ctx = { projectId: w.projectId, scope, epoch };
    const names = scope === 'api/development' ? ['KEY', 'PLANTED'] : ['PLANTED'];
    const lines = names
      .map((name) =>
        encryptSecret(keys.env(env), ctx, {
          name,
          value: PLANTED,
          updated_at: now,
          updated_by: ids.alice,
        }),
      )
      .sort((a, b) => (a.tag < b.tag ? -1 : 1));
    writeFileSync(path.join(m.dir, file), formatStore(scope, lines));
  }
  const hex = new TextEncoder().encode(formatRootKey(root));
  const self = kagiOkIn(m, ['join', '--name', 'mallory']).stdout.trim();
  const members: Member[] = [];
  for (const entry of readAccess(m.dir).members) {
    const next: Member = { ...entry };
    if (entry.status === 'active' || entry.id === self) {
      next.status = 'active';
      next.approved_by ??= ids.alice;
      next.approved_at ??= now;
      next.wrapped_key = await wrapKey(hex, entry.recipient);
      next.seal = computeSeal(keys.seal, w.projectId, epoch, next);
    }
    members.push(next);
  }
  const history = real.history.filter((h) => h.epoch < epoch - 1);
  if (epoch > 1) {
    const invented = deriveProjectKeys(generateRootKey());
    history.push({
      epoch: epoch - 1,
      key_id: invented.keyId,
      sealed_key: sealHistoryKey(keys, w.projectId, epoch - 1, invented.root),
      proof: computeProof(invented, epoch, keys.keyId),
    });
  }
  writeAccess(m.dir, {
    format: 'git-kagi/1',
    project_id: w.projectId,
    epoch,
    key_id: keys.keyId,
    history,
    members,
  });
  pushAll(m, 'kagi: rotate');
  return { keys, epoch };
}

/** After any attempt: the checkout is mallory's commit, byte for byte, and nothing new is hers. */
async function expectNothingForMallory(w: World, sub: Substitution, real: Uint8Array[]) {
  expect(git(w.alice.person, w.alice.dir, ['status', '--porcelain', '--', '.kagi']).stdout).toBe(
    '',
  );
  expect(git(w.alice.person, w.alice.dir, ['log', '-1', '--format=%an']).stdout.trim()).toBe(
    'mallory',
  );
  await expectNoRealKeyForMallory(readAccess(w.alice.dir), real);
  // Mallory's key decrypts her own lines and nothing else.
  const hers = linesDecryptingUnder(w.alice, w.projectId, sub.keys);
  expect(hers.every((l) => l.endsWith(': KEY') || l.endsWith(': PLANTED'))).toBe(true);
  expect(hers).toHaveLength(listStores(w.alice).length + 1);
}

describe('c. a whole substituted key (stores re-encrypted, access.json rewritten to match)', () => {
  const SUBSTITUTED = /may have been substituted/;
  const reads = [['get'], ['run', 'api', '--', 'env'], ['member', 'list']];
  const writes = () => [
    ['set', 'api', 'NEW_SECRET', 'alice-new-value-Qw3'],
    ['unset', 'api', 'KEY'],
    ['member', 'approve', ids.carol, '--yes'],
    ['rotate'],
    ['member', 'add-machine', 'ci', '--out', path.join(makeTempDir('kagi-ci-'), 'ci.txt')],
    ['member', 'remove', ids.bob, '--yes'],
    ['env', 'rename', 'test', 'qa'],
  ];

  /** A world at epoch 2 that alice and bob both trust (pinned), mallory up to date. */
  function rotatedWorld(): { w: World; real: Uint8Array[] } {
    const w = copyWorld();
    const first = cachedRoot(w.alice, w.projectId);
    kagiOkIn(w.alice, ['rotate']);
    pushAll(w.alice, 'kagi: rotate');
    for (const who of [w.bob, w.mallory]) pull(who);
    expect(kagiIn(w.bob, ['run', 'api', '--', 'printenv', 'KEY']).stdout).toBe(`${VALUES.KEY}\n`);
    expect(readPin(w.alice, w.projectId).epoch).toBe(2);
    expect(readPin(w.bob, w.projectId).epoch).toBe(2);
    return { w, real: [first, cachedRoot(w.alice, w.projectId)] };
  }

  for (const [what, epochOf] of [
    ['epoch N+1', (n: number) => n + 1],
    ['epoch N with another key_id', (n: number) => n],
  ] as const) {
    it(`${what}: every command of alice exits 4 saying the key may have been substituted`, async () => {
      const { w, real } = rotatedWorld();
      const pin = readPin(w.alice, w.projectId);
      const sub = await substituteKey(w, epochOf(2));
      pull(w.alice);
      await expectNothingForMallory(w, sub, real);
      // Control: mallory's state is consistent (her key opens her stores): only the pin stops alice.
      expect(linesDecryptingUnder(w.alice, w.projectId, sub.keys).length).toBeGreaterThan(0);

      for (const args of [...reads, ...writes()]) {
        expectRefused(w.alice, args, SUBSTITUTED);
        await expectNothingForMallory(w, sub, real);
      }
      expect(readPin(w.alice, w.projectId)).toEqual(pin);
      const status = kagiIn(w.alice, ['status']);
      expect(status.stdout + status.stderr).toMatch(SUBSTITUTED);

      pull(w.bob);
      expectRefused(w.bob, ['run', 'api', '--', 'printenv', 'KEY'], SUBSTITUTED);
    });
  }

  it('epoch N-1: the device knows the key epoch 1 really had, so reads and writes exit 4', async () => {
    const { w, real } = rotatedWorld();
    const pin = readPin(w.alice, w.projectId);
    const sub = await substituteKey(w, 1);
    pull(w.alice);
    await expectNothingForMallory(w, sub, real);
    for (const args of [...reads, ...writes()]) {
      expectRefused(w.alice, args, /the key may have been substituted/);
      await expectNothingForMallory(w, sub, real);
    }
    expect(readPin(w.alice, w.projectId)).toEqual(pin);
  });

  it('control: a genuine older checkout may be read, never written', () => {
    const { w } = rotatedWorld();
    git(w.alice.person, w.alice.dir, ['checkout', '-q', 'HEAD~1']);
    expect(readAccess(w.alice.dir).epoch).toBe(1);
    const get = kagiIn(w.alice, ['get', 'api']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('KEY');
    for (const args of writes()) {
      expectRefused(w.alice, args, /at key epoch 1, but this device has already seen epoch 2/);
    }
  });
});

describe('d. key history entries removed or altered', () => {
  /** Bob's device stays pinned at epoch 1 while alice rotates twice; then `tamper` is pushed. */
  function twiceRotated(tamper: ((access: AccessFile) => void) | null): World {
    const w = copyWorld();
    expect(readPin(w.bob, w.projectId).epoch).toBe(1);
    kagiOkIn(w.alice, ['rotate']);
    kagiOkIn(w.alice, ['rotate']);
    pushAll(w.alice, 'kagi: rotate twice');
    if (tamper) {
      pull(w.mallory);
      const access = readAccess(w.mallory.dir);
      expect(access.history.map((h) => h.epoch)).toEqual([1, 2]);
      tamper(access);
      writeAccess(w.mallory.dir, access);
      pushAll(w.mallory, 'kagi: tidy history');
    }
    pull(w.bob);
    return w;
  }

  const entry = (access: AccessFile, epoch: number) => {
    const found = access.history.find((h) => h.epoch === epoch);
    if (!found) throw new Error(`no history entry ${epoch}`);
    return found;
  };
  const flip = (field: string) => {
    const bytes = Buffer.from(field, 'base64url');
    bytes[3] = (bytes[3] as number) ^ 0x01;
    return bytes.toString('base64url');
  };

  it('control: with the history intact the device follows the chain from epoch 1 to 3', () => {
    const w = twiceRotated(null);
    const r = kagiIn(w.bob, ['run', 'api', '--', 'printenv', 'KEY']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VALUES.KEY}\n`);
    expect(readPin(w.bob, w.projectId).epoch).toBe(3);
  });

  const tampers: Array<[string, (access: AccessFile) => void]> = [
    [
      'the entry for epoch 1 deleted',
      (a) => {
        a.history = a.history.filter((h) => h.epoch !== 1);
      },
    ],
    [
      'the entry for epoch 2 (a middle link) deleted',
      (a) => {
        a.history = a.history.filter((h) => h.epoch !== 2);
      },
    ],
    [
      "epoch 1's proof changed",
      (a) => {
        entry(a, 1).proof = flip(entry(a, 1).proof);
      },
    ],
    [
      "epoch 1's proof replaced by epoch 2's",
      (a) => {
        entry(a, 1).proof = entry(a, 2).proof;
      },
    ],
    [
      "epoch 1's sealed_key replaced by epoch 2's",
      (a) => {
        entry(a, 1).sealed_key = entry(a, 2).sealed_key;
      },
    ],
    [
      "epoch 1's sealed_key changed",
      (a) => {
        entry(a, 1).sealed_key = flip(entry(a, 1).sealed_key);
      },
    ],
  ];

  for (const [what, tamper] of tampers) {
    it(`${what}: the device pinned at epoch 1 stops with exit 4`, () => {
      const w = twiceRotated(tamper);
      const pin = readPin(w.bob, w.projectId);
      for (const args of [['get'], ['run', 'api', '--', 'printenv', 'KEY'], ['set', 'X', 'y']])
        expectRefused(w.bob, args, /may have been substituted/);
      expect(readPin(w.bob, w.projectId)).toEqual(pin);
      // The device that made the rotations is not fooled either way: it trusts epoch 3.
      pull(w.alice);
      expect(kagiIn(w.alice, ['run', 'api', '--', 'printenv', 'KEY']).stdout).toBe(
        `${VALUES.KEY}\n`,
      );
    });
  }
});

describe('e. a removed member rewrites his entry on main, then an older branch merges main', () => {
  const rewrites: Array<[string, (access: AccessFile) => void]> = [
    [
      'deletes his "removed" entry',
      (a) => {
        a.members = a.members.filter((m) => m.id !== ids.bob);
      },
    ],
    [
      'turns his "removed" entry back into a join request',
      (a) => {
        const entry = member(a, ids.bob);
        entry.status = 'pending';
        entry.seal = undefined;
        entry.approved_by = undefined;
        entry.approved_at = undefined;
      },
    ],
  ];

  for (const [what, rewrite] of rewrites) {
    it(`he ${what}: the access.json merge driver does not wrap the key to him again`, async () => {
      const w = copyWorld();
      // Alice has a branch from before the removal, with work of its own (carol approved there).
      git(w.alice.person, w.alice.dir, ['checkout', '-q', '-b', 'feature']);
      kagiOkIn(w.alice, ['set', 'api', 'FEATURE_FLAG', 'on-Tq1']);
      kagiOkIn(w.alice, ['member', 'approve', ids.carol, '--yes']);
      git(w.alice.person, w.alice.dir, ['commit', '-q', '-m', 'feature', '--', '.kagi']);
      git(w.alice.person, w.alice.dir, ['checkout', '-q', 'main']);
      kagiOkIn(w.alice, ['member', 'remove', ids.bob, '--yes']);
      pushAll(w.alice, 'kagi: remove bob');
      const currentKey = cachedRoot(w.alice, w.projectId);

      // Bob can still push to the repository; no seal is needed to drop or downgrade an entry.
      pull(w.bob);
      const access = readAccess(w.bob.dir);
      rewrite(access);
      writeAccess(w.bob.dir, access);
      git(w.bob.person, w.bob.dir, ['commit', '-q', '--no-verify', '-am', 'kagi: tidy']);
      git(w.bob.person, w.bob.dir, ['push', '-q', 'origin', 'HEAD:main']);

      // Alice brings main into her branch, as one does before opening a pull request.
      git(w.alice.person, w.alice.dir, ['checkout', '-q', 'feature']);
      const pulled = git(
        w.alice.person,
        w.alice.dir,
        ['pull', '-q', '--no-rebase', '--no-edit', 'origin', 'main'],
        true,
      );
      expect(pulled.stderr).toContain(`member ${ids.bob} was removed after this approval`);
      const merged = readAccess(w.alice.dir);
      expect(merged.epoch).toBe(2);
      const bobIdentity = parseIdentityFile(
        readFileSync(path.join(w.bob.person.home, 'identity.txt'), 'utf8'),
      ) as string;
      const bobCan: string[] = [];
      for (const m of merged.members) {
        if (!m.wrapped_key) continue;
        try {
          bobCan.push(new TextDecoder().decode(await unwrapKey(m.wrapped_key, bobIdentity, m.id)));
        } catch {}
      }
      expect(bobCan).not.toContain(formatRootKey(currentKey));
      // (The entry kept from the branch still holds the key of epoch 1, which he had anyway.)
      // Control: carol, approved on the branch, is re-wrapped to the current key as designed.
      const carolIdentity = parseIdentityFile(
        readFileSync(path.join(w.carol.person.home, 'identity.txt'), 'utf8'),
      ) as string;
      const carol = member(merged, ids.carol);
      expect(carol.status).toBe('active');
      const carolKey = await unwrapKey(carol.wrapped_key as string, carolIdentity, ids.carol);
      expect(new TextDecoder().decode(carolKey)).toBe(formatRootKey(currentKey));
      // And bob, checking out the merged branch, reads nothing set after his removal.
      pull(w.bob);
      git(w.bob.person, w.bob.dir, ['fetch', '-q', path.join(w.alice.dir, '.git'), 'feature']);
      git(w.bob.person, w.bob.dir, ['checkout', '-q', 'FETCH_HEAD']);
      const r = kagiIn(w.bob, ['run', 'api', '--', 'printenv', 'FEATURE_FLAG']);
      expect(r.stdout).not.toContain('on-Tq1');
      expect([3, 4]).toContain(r.code);
    });
  }
});
