// The team flow of issue 3 end to end: three teammates and a machine share a bare repository, each
// with their own clone and KAGI_HOME; join, approve, rotate, remove, and what a removed member keeps.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScope, parseScopePath } from '../../src/core/scope.js';
import { parseStore } from '../../src/core/store.js';
import { deriveProjectKeys, parseRootKeyHex } from '../../src/crypto/keys.js';
import { decryptSecret } from '../../src/crypto/secret-line.js';
import {
  cleanup,
  git,
  kagi,
  makePerson,
  makeRepo,
  makeTempDir,
  type Result,
  readAccess,
  readAccessText,
  readCachedKey,
} from './harness.js';
import {
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
  KEY: 'team-api-key-Vb7mQ2xR',
  DB_URL: 'postgres://team-prod-Jc4wN8',
  AFTER: 'set-after-removal-Lp3zT6',
};

let bare: string;
let projectId: string;
let alice: Teammate;
let bob: Teammate;
let carol: Teammate;
let ci: Teammate;
let bobId: string;
let bobFingerprint: string;
let carolId: string;
let ciIdentityFile: string;
let bobOldKey: string;

/** The value `run` injects for `name` (api scope over the project-wide one), or the failure. */
function runPrint(who: Teammate, name: string, env: NodeJS.ProcessEnv = {}): Result {
  return kagiIn(who, ['run', 'api', '--', 'printenv', name], '', env);
}

function cachedKey(who: Teammate): string {
  return readCachedKey(who.person, projectId);
}

/** Every store of the checkout with its scope name and parsed lines. */
function readStores(who: Teammate) {
  const out: Array<{ scope: string; env: string; lines: ReturnType<typeof parseStore> }> = [];
  const files = git(who.person, who.dir, ['ls-files', '-z', '--', '.kagi/secrets']).stdout.split(
    '\0',
  );
  for (const file of files.filter(Boolean)) {
    const scope = parseScopePath(file.slice('.kagi/secrets/'.length));
    if (!scope) throw new Error(`not a store path: ${file}`);
    const name = formatScope(scope);
    const text = readFileSync(path.join(who.dir, file), 'utf8');
    out.push({ scope: name, env: scope.env, lines: parseStore(text, name, file) });
  }
  return out;
}

beforeAll(() => {
  bare = makeSharedRepo(makePerson('server'));
  alice = cloneShared(makePerson('alice'), bare);
  projectId = kagiOkIn(alice, ['init', '--name', 'alice', '--envs']).stdout.trim();
  kagiOkIn(alice, ['set', 'api', 'KEY', VALUES.KEY]);
  kagiOkIn(alice, ['set', 'production', 'DB_URL'], VALUES.DB_URL);
  git(alice.person, alice.dir, ['add', '.']);
  git(alice.person, alice.dir, ['commit', '-q', '-m', 'kagi: init']);
  git(alice.person, alice.dir, ['push', '-q', 'origin', 'HEAD:main']);
});

afterAll(() => cleanup());

describe('the team flow (issue 3, End-to-end)', () => {
  it('bob joins: a pending entry with no seal and no wrapped key; he cannot read yet', () => {
    bob = cloneShared(makePerson('bob'), bare);
    const joined = kagiOkIn(bob, ['join', '--name', 'bob']);
    bobId = joined.stdout.trim();
    expect(bobId).toMatch(/^kgm_[A-Za-z0-9_-]{12}$/);
    expect(joined.stderr).toContain(`git kagi member approve ${bobId}`);
    bobFingerprint = /Your fingerprint: ([0-9a-f ]+) —/.exec(joined.stderr)?.[1] ?? '';
    expect(bobFingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    const entry = readAccess(bob.dir).members.find((m) => m.id === bobId);
    expect(entry).toMatchObject({ name: 'bob', status: 'pending' });
    expect(entry?.seal).toBeUndefined();
    expect(entry?.wrapped_key).toBeUndefined();
    commitAndPush(bob, 'kagi: join request from bob');

    const early = runPrint(bob, 'KEY');
    expect(early.code).toBe(3);
    expect(early.stderr).toMatch(/^error: .*waiting for approval/m);
    expect(early.stdout).not.toContain(VALUES.KEY);
  });

  it('a pending member cannot approve anyone, not even himself (exit 3)', () => {
    const before = readAccessText(bob.dir);
    const r = kagiIn(bob, ['member', 'approve', bobId, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: /m);
    expect(readAccessText(bob.dir)).toBe(before);
    expect(git(bob.person, bob.dir, ['status', '--porcelain', '--', '.kagi']).stdout).toBe('');
  });

  it('alice pulls, sees bob pending with his fingerprint, approves and pushes; bob reads', () => {
    pull(alice);
    const list = kagiOkIn(alice, ['member', 'list']).stdout;
    const pending = list.slice(list.indexOf('pending:'));
    expect(list).toContain('pending:');
    expect(pending).toContain(bobId);
    expect(pending).toContain('bob');
    const json = JSON.parse(kagiOkIn(alice, ['member', 'list', '--json']).stdout);
    const row = json.members.find((m: { id: string }) => m.id === bobId);
    expect(row).toMatchObject({ status: 'pending', seal_ok: null, approved_by: null });
    expect(row.fingerprint).toBe(bobFingerprint);
    expect(pending).toContain(bobFingerprint);

    const approved = kagiOkIn(alice, ['member', 'approve', bobId, '--yes']);
    expect(approved.stderr).toContain(bobFingerprint);
    const entry = readAccess(alice.dir).members.find((m) => m.id === bobId);
    expect(entry?.status).toBe('active');
    expect(entry?.wrapped_key).toContain('-----BEGIN AGE ENCRYPTED FILE-----');
    expect(entry?.seal).toBeTruthy();
    commitAndPush(alice, 'kagi: approve bob');

    pull(bob);
    const r = runPrint(bob, 'KEY');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VALUES.KEY}\n`);
  });

  it('approving a member who is not pending is an error that changes nothing', () => {
    const before = readAccessText(alice.dir);
    const r = kagiIn(alice, ['member', 'approve', bobId, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: member .* is active, not pending/m);
    expect(readAccessText(alice.dir)).toBe(before);
  });

  it('carol joins after pulling; KAGI_PROJECT_KEY cannot approve her (exit 3); alice can', () => {
    carol = cloneShared(makePerson('carol'), bare);
    carolId = requestAccess(carol, 'kagi: join request from carol');
    pull(alice);

    const before = readAccessText(alice.dir);
    const keyOnly = makePerson('keyholder');
    const denied = kagi(keyOnly, alice.dir, ['member', 'approve', carolId, '--yes'], '', {
      KAGI_PROJECT_KEY: cachedKey(alice),
    });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^error: only an active member/m);
    expect(denied.stderr).toMatch(/^hint: KAGI_PROJECT_KEY is a project key, not a member/m);
    expect(readAccessText(alice.dir)).toBe(before);

    kagiOkIn(alice, ['member', 'approve', carolId, '--yes']);
    commitAndPush(alice, 'kagi: approve carol');
    pull(carol);
    expect(runPrint(carol, 'KEY').stdout).toBe(`${VALUES.KEY}\n`);
  });

  it('a machine member reads through KAGI_IDENTITY_FILE from a fresh KAGI_HOME', () => {
    ciIdentityFile = path.join(makeTempDir('kagi-ci-id-'), 'ci-identity.txt');
    const added = kagiOkIn(alice, ['member', 'add-machine', 'ci', '--out', ciIdentityFile]);
    expect(added.stdout).toBe('');
    expect(readFileSync(ciIdentityFile, 'utf8')).toMatch(/^AGE-SECRET-KEY-1/m);
    const machine = readAccess(alice.dir).members.find((m) => m.name === 'ci');
    expect(machine).toMatchObject({ status: 'active' });
    commitAndPush(alice, 'kagi: add machine ci');

    ci = cloneShared(makePerson('ci'), bare);
    const r = runPrint(ci, 'KEY', { KAGI_IDENTITY_FILE: ciIdentityFile });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VALUES.KEY}\n`);
    // The machine has no device identity of its own.
    expect(existsSync(path.join(ci.person.home, 'identity.txt'))).toBe(false);
  });

  it('`rotate` alone: epoch 2, every line re-encrypted, every member (and the machine) still reads', () => {
    const before = readAccess(alice.dir);
    const r = kagiOkIn(alice, ['rotate']);
    expect(r.stderr).toContain('Rotated the key to epoch 2');
    const after = readAccess(alice.dir);
    expect(after.epoch).toBe(2);
    expect(after.key_id).not.toBe(before.key_id);
    expect(after.history.map((h) => [h.epoch, h.key_id])).toEqual([[1, before.key_id]]);
    for (const m of after.members) {
      expect(m.status).toBe('active');
      expect(m.wrapped_key).toBeTruthy();
      expect(m.wrapped_key).not.toBe(before.members.find((b) => b.id === m.id)?.wrapped_key);
    }
    for (const store of readStores(alice))
      for (const line of store.lines) expect(line.epoch).toBe(2);
    commitAndPush(alice, 'kagi: rotate');

    for (const who of [bob, carol]) {
      pull(who);
      expect(runPrint(who, 'KEY').stdout).toBe(`${VALUES.KEY}\n`);
    }
    pull(ci);
    const machine = kagiIn(ci, ['run', 'api', 'production', '--', 'printenv', 'DB_URL'], '', {
      KAGI_IDENTITY_FILE: ciIdentityFile,
    });
    expect(machine.code, machine.stderr).toBe(0);
    expect(machine.stdout).toBe(`${VALUES.DB_URL}\n`);
  });

  it('alice removes bob: the secrets he could read are listed, the key rotates', () => {
    // What bob's device holds: the key of the epoch in force when he was removed.
    bobOldKey = cachedKey(bob);
    expect(deriveProjectKeys(parseRootKeyHex(bobOldKey) as Uint8Array).keyId).toBe(
      readAccess(bob.dir).key_id,
    );
    const r = kagiOkIn(alice, ['member', 'remove', bobId, '--yes']);
    expect(r.stdout.trim().split('\n').sort()).toEqual([
      'api/development: KEY',
      'production: DB_URL',
    ]);
    expect(r.stdout).not.toContain(VALUES.KEY);
    expect(r.stderr).toContain('epoch 3');
    const access = readAccess(alice.dir);
    expect(access.epoch).toBe(3);
    const entry = access.members.find((m) => m.id === bobId);
    expect(entry?.status).toBe('removed');
    expect(entry?.wrapped_key).toBeUndefined();
    kagiOkIn(alice, ['set', 'api', 'AFTER', VALUES.AFTER]);
    commitAndPush(alice, 'kagi: remove bob');
  });

  it('bob pulls and can read no secret (exit 3), with his device or with his old key', () => {
    pull(bob);
    for (const args of [['get'], ['run', 'api', '--', 'env']]) {
      const r = kagiIn(bob, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/^error: .*removed/m);
      for (const value of Object.values(VALUES)) expect(r.stdout + r.stderr).not.toContain(value);
    }
    const fresh = makePerson('bob-elsewhere');
    for (const args of [['get'], ['run', 'api', '--', 'env']]) {
      const r = kagi(fresh, bob.dir, args, '', { KAGI_PROJECT_KEY: bobOldKey });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/^error: KAGI_PROJECT_KEY is not the current key/m);
      for (const value of Object.values(VALUES)) expect(r.stdout + r.stderr).not.toContain(value);
    }
  });

  it("bob's old root key decrypts no line of the new state, at any epoch", () => {
    const old = deriveProjectKeys(parseRootKeyHex(bobOldKey) as Uint8Array);
    const stores = readStores(bob);
    const lines = stores.flatMap((s) => s.lines.map((line) => ({ ...s, line })));
    expect(lines.length).toBe(3);
    // Control: the current key (alice's device cache) decrypts every one of these lines.
    const current = deriveProjectKeys(parseRootKeyHex(cachedKey(alice)) as Uint8Array);
    const names = lines.map(
      ({ scope, env, line }) =>
        decryptSecret(current.env(env), { projectId, scope, epoch: 3 }, line, scope).name,
    );
    expect(names.sort()).toEqual(['AFTER', 'DB_URL', 'KEY']);
    for (const { scope, env, line } of lines) {
      expect(line.epoch).toBe(3);
      for (const epoch of [1, 2, 3]) {
        expect(() =>
          decryptSecret(old.env(env), { projectId, scope, epoch }, line, scope),
        ).toThrow();
        expect(() =>
          decryptSecret(old.env(env), { projectId, scope, epoch }, { ...line, epoch }, scope),
        ).toThrow();
      }
    }
  });

  it('the remaining members and the machine read everything, old and new', () => {
    pull(carol);
    const r = kagiIn(carol, ['run', 'api', '--', 'sh', '-c', 'echo "$KEY|$AFTER"']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VALUES.KEY}|${VALUES.AFTER}\n`);
    pull(ci);
    const machine = kagiIn(ci, ['run', 'api', '--', 'sh', '-c', 'echo "$KEY|$AFTER"'], '', {
      KAGI_IDENTITY_FILE: ciIdentityFile,
    });
    expect(machine.code, machine.stderr).toBe(0);
    expect(machine.stdout).toBe(`${VALUES.KEY}|${VALUES.AFTER}\n`);
  });
});

describe('member remove refuses to leave a project without an active member', () => {
  it('the last active member cannot be removed: non-zero exit, nothing changed', () => {
    const solo = makePerson('solo');
    const dir = makeRepo(solo);
    expect(kagi(solo, dir, ['init', '--name', 'solo']).code).toBe(0);
    expect(kagi(solo, dir, ['set', 'KEY', 'solo-value-Rt5']).code).toBe(0);
    git(solo, dir, ['add', '.']);
    git(solo, dir, ['commit', '-q', '-m', 'kagi']);
    const access = readAccess(dir);
    const id = access.members[0]?.id as string;
    const r = kagi(solo, dir, ['member', 'remove', id, '--yes']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*last active member/m);
    expect(git(solo, dir, ['status', '--porcelain', '--', '.kagi']).stdout).toBe('');
    expect(existsSync(path.join(dir, '.git', 'kagi', 'rotation.json'))).toBe(false);
    expect(kagi(solo, dir, ['run', '--', 'printenv', 'KEY']).stdout).toBe('solo-value-Rt5\n');
  });
});
