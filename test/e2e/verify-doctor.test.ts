// `git kagi verify` and `git kagi doctor [--fix]` through the built binary: verify passes on good
// states with any key source or none, exits 4 on what hand edits and driverless merges leave, and
// doctor --fix repairs what is safe (old-epoch lines, pre-rotation approvals, setup, modes).
import type { SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member } from '../../src/core/access.js';
import {
  cleanup,
  copyToTemp,
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
  readAccessText,
  readCachedKey,
  readStoreRows,
  writeAccess,
  writeStoreRows,
} from './harness.js';
import { joinAndApprove } from './team.js';
import { snapshotTree } from './tree.js';

const PLANTED = {
  API_TOKEN: 'planted-verify-token-Zq81xLw3',
  API_SECRET: 'planted-verify-secret-Pk47sNd9',
  LOG_SECRET: 'planted-verify-log-Jh26cVb5',
  WEB_KEY: 'planted-verify-web-Rt93mQa1',
};
const API_DEV = '.kagi/secrets/api/development.enc';
const DRIVER_SECTIONS = ['merge.kagi-store', 'merge.kagi-access', 'diff.kagi'];

let alice: Person;
let base: string;
let projectId: string;

interface World {
  dir: string;
  /** alice, with her own copy of alice's KAGI_HOME: a rotation in one world pins nothing elsewhere. */
  me: Person;
}

function fork(): World {
  const dir = copyToTemp(base, 'kagi-verify-');
  const me = makePerson('alice');
  cpSync(alice.home, me.home, { recursive: true });
  return { dir, me };
}

function expectNoValues(...results: Result[]): void {
  for (const r of results) {
    for (const value of Object.values(PLANTED)) {
      expect(r.stdout).not.toContain(value);
      expect(r.stderr).not.toContain(value);
    }
  }
}

function commitAll(person: Person, dir: string, message: string): void {
  git(person, dir, ['add', '-A']);
  git(person, dir, ['commit', '-q', '--no-verify', '-m', message]);
}

/** What a clone that never ran git kagi (or a hosting site's merge button) has: no drivers. */
function removeDrivers(person: Person, dir: string): void {
  for (const section of DRIVER_SECTIONS)
    git(person, dir, ['config', '--local', '--remove-section', section], true);
  expect(git(person, dir, ['config', '--get-regexp', 'kagi'], true).stdout).toBe('');
}

function printenv(person: Person, dir: string, words: string[], name: string): Result {
  return kagi(person, dir, ['run', ...words, '--', 'printenv', name]);
}

beforeAll(() => {
  alice = makePerson('alice');
  base = makeRepo(alice);
  kagiOk(alice, base, ['init', '--name', 'alice']);
  kagiOk(alice, base, ['set', 'api', 'API_TOKEN'], PLANTED.API_TOKEN);
  kagiOk(alice, base, ['set', 'api', 'API_SECRET'], PLANTED.API_SECRET);
  kagiOk(alice, base, ['set', 'LOG_SECRET'], PLANTED.LOG_SECRET);
  commitAll(alice, base, 'kagi');
  projectId = readAccess(base).project_id;
  expect(projectId).toMatch(/^kgp_/);
});

afterAll(cleanup);

describe('git kagi verify on a good project', () => {
  it('passes with the device key, decrypting every line, and changes no file', () => {
    const { dir, me } = fork();
    const before = snapshotTree(dir, { modes: true });
    const r = kagiOk(me, dir, ['verify']);
    expect(r.stdout).toMatch(
      /^ok: \.kagi\/ is consistent \(key epoch 1, 2 store\(s\), 3 secret\(s\)/,
    );
    expect(r.stdout).toMatch(/every line decrypted/);
    expect(snapshotTree(dir, { modes: true })).toEqual(before);
    expectNoValues(r);
  });

  it('passes with KAGI_PROJECT_KEY on a machine without an identity', () => {
    const { dir, me } = fork();
    const key = readCachedKey(me, projectId);
    const ci = makePerson('ci');
    const r = kagi(ci, dir, ['verify'], '', { KAGI_PROJECT_KEY: key });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/every line decrypted with KAGI_PROJECT_KEY/);
    expect(r.stderr).toBe('');
    expectNoValues(r);
  });

  it('passes with a machine identity in KAGI_IDENTITY_FILE and in KAGI_IDENTITY', () => {
    const { dir, me } = fork();
    const file = path.join(makeTempDir('kagi-ci-'), 'ci-identity.txt');
    kagiOk(me, dir, ['member', 'add-machine', 'ci', '--out', file]);
    const ci = makePerson('ci');
    const viaFile = kagi(ci, dir, ['verify'], '', { KAGI_IDENTITY_FILE: file });
    expect(viaFile.code, viaFile.stderr).toBe(0);
    expect(viaFile.stdout).toMatch(/every line decrypted with KAGI_IDENTITY_FILE/);
    const viaText = kagi(ci, dir, ['verify'], '', { KAGI_IDENTITY: readFileSync(file, 'utf8') });
    expect(viaText.code, viaText.stderr).toBe(0);
    expect(viaText.stdout).toMatch(/every line decrypted with KAGI_IDENTITY\)/);
    expectNoValues(viaFile, viaText);
  });

  it('checks structure only without any key, and says so', () => {
    const { dir } = fork();
    const before = snapshotTree(dir, { modes: true });
    const nobody = makePerson('nobody');
    const r = kagi(nobody, dir, ['verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^note: no key .*checked structure only/m);
    expect(r.stdout).toMatch(/structure only: no key/);
    expect(snapshotTree(dir, { modes: true })).toEqual(before);
  });

  it('fails with exit 3 when the KAGI_PROJECT_KEY it is given is not the project key', () => {
    const { dir } = fork();
    const r = kagi(makePerson('ci'), dir, ['verify'], '', { KAGI_PROJECT_KEY: 'ab'.repeat(32) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: KAGI_PROJECT_KEY is not the current key/m);
  });

  it('fails outside a project', () => {
    const nobody = makePerson('nobody');
    const r = kagi(nobody, makeRepo(nobody), ['verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no git-kagi project/m);
  });
});

describe('git kagi verify exits 4', () => {
  it('after a hand edit of a store line (with a key)', () => {
    const { dir, me } = fork();
    const { header, lines } = readStoreRows(dir, API_DEV);
    const [tag, epoch, payload] = (lines[0] as string).split(' ') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    bytes[30] = (bytes[30] as number) ^ 0x01;
    lines[0] = `${tag} ${epoch} ${bytes.toString('base64url')}`;
    writeStoreRows(dir, API_DEV, { header, lines });
    const r = kagi(me, dir, ['verify']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^error: \.kagi\/secrets\/api\/development\.enc: 1 line\(s\) fail to decrypt/m,
    );
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe('');
    expectNoValues(r);
  });

  it('after conflict markers in a store (even without a key)', () => {
    const { dir } = fork();
    const { header, lines } = readStoreRows(dir, API_DEV);
    writeStoreRows(dir, API_DEV, {
      header,
      lines: ['<<<<<<< HEAD', lines[0] as string, '=======', lines[1] as string, '>>>>>>> feature'],
    });
    const r = kagi(makePerson('nobody'), dir, ['verify']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/has unresolved merge conflict markers/);
    expect(r.stderr).toMatch(/^hint: run `git kagi resolve`/m);
  });

  it('after lines are reordered (even without a key)', () => {
    const { dir } = fork();
    const { header, lines } = readStoreRows(dir, API_DEV);
    writeStoreRows(dir, API_DEV, { header, lines: [...lines].reverse() });
    const r = kagi(makePerson('nobody'), dir, ['verify']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/development\.enc:3 is out of order or repeats a secret/);
  });

  it('for a forged active member with no valid seal; doctor --fix never re-wraps it', () => {
    const { dir, me } = fork();
    const access = readAccess(dir);
    const real = access.members[0] as Member;
    const forged = {
      ...real,
      id: 'kgm_forgedAAAAAA',
      name: 'mallory',
      recipient: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq',
    };
    access.members.push(forged);
    writeAccess(dir, access);
    const nokey = kagi(makePerson('nobody'), dir, ['verify']);
    // A copied seal and wrapped key look fine without the key…
    expect(nokey.code).toBe(0);
    // …and fail with it.
    const r = kagi(me, dir, ['verify']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/the seal of member kgm_forgedAAAAAA does not verify/);

    const doctor = kagi(me, dir, ['doctor']);
    expect(doctor.code).toBe(4);
    expect(doctor.stdout).toMatch(/^FAIL access +the seal of member kgm_forgedAAAAAA/m);
    expect(doctor.stdout).toMatch(/fix: nobody holding the key sealed this entry/);
    const before = readAccessText(dir);
    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.code).toBe(4);
    expect(fix.stdout).toMatch(
      /^left {2}members +kgm_forgedAAAAAA \(mallory\): nobody holding the key/m,
    );
    expect(readAccessText(dir)).toBe(before);
    expect(kagi(me, dir, ['verify']).code).toBe(4);
  });

  it('for an interrupted rotation, which doctor --fix finishes', () => {
    const { dir, me } = fork();
    const killed = killAtSecondRename(me, dir, ['rotate']);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(existsSync(path.join(dir, '.git', 'kagi', 'rotation.json'))).toBe(true);
    const r = kagi(me, dir, ['verify']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^error: an interrupted key rotation \(epoch 1 → 2\) is pending in \.git\/kagi\/rotation\.json/m,
    );
    const doctor = kagi(me, dir, ['doctor']);
    expect(doctor.code).toBe(4);
    expect(doctor.stdout).toMatch(/^FAIL rotation +an interrupted key rotation \(epoch 1 → 2\)/m);
    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.stdout).toMatch(/^fixed rotation +finished the interrupted key rotation/m);
    expect(fix.code, fix.stdout).toBe(0);
    expect(kagiOk(me, dir, ['verify']).stdout).toMatch(/key epoch 2/);
    expect(printenv(me, dir, ['api'], 'API_TOKEN').stdout).toBe(`${PLANTED.API_TOKEN}\n`);
    expectNoValues(r, doctor, fix);
  });
});

function killAtSecondRename(person: Person, dir: string, args: string[]): SpawnSyncReturns<string> {
  const inject = 'inject=?rename,?renameat,renameat2:signal=SIGKILL:when=2';
  return kagiUnderStrace(person, dir, ['-o', '/dev/null', '-e', inject], args);
}

describe('a branch made before a rotation, merged without the drivers', () => {
  it('brings a store at the old epoch: verify fails, doctor --fix re-encrypts it', () => {
    const { dir, me } = fork();
    git(me, dir, ['checkout', '-q', '-b', 'web']);
    kagiOk(me, dir, ['set', 'web', 'WEB_KEY'], PLANTED.WEB_KEY);
    commitAll(me, dir, 'web secrets');
    git(me, dir, ['checkout', '-q', 'main']);
    kagiOk(me, dir, ['rotate']);
    commitAll(me, dir, 'rotate');
    removeDrivers(me, dir);
    // No hooks either: a clone that never ran git kagi (post-merge would repair it).
    git(me, dir, ['-c', 'core.hooksPath=/dev/null', 'merge', '-q', '--no-edit', 'web']);
    expect(readFileSync(path.join(dir, '.kagi/secrets/web/development.enc'), 'utf8')).toMatch(
      /^\S{22} 1 /m,
    );

    const withKey = kagi(me, dir, ['verify']);
    expect(withKey.code).toBe(4);
    expect(withKey.stderr).toMatch(
      /^error: \.kagi\/secrets\/web\/development\.enc has 1 line\(s\) at key epoch 1, but the key is at epoch 2/m,
    );
    expect(withKey.stderr).toMatch(/^hint: git kagi doctor --fix re-encrypts them/m);
    const withoutKey = kagi(makePerson('nobody'), dir, ['verify']);
    expect(withoutKey.code).toBe(4);
    expect(withoutKey.stderr).toMatch(/at key epoch 1, but the key is at epoch 2/);

    const doctor = kagi(me, dir, ['doctor']);
    expect(doctor.code).toBe(4);
    expect(doctor.stdout).toMatch(
      /^FAIL stores +\.kagi\/secrets\/web\/development\.enc has 1 line/m,
    );
    expect(doctor.stdout).toMatch(/^FAIL drivers +merge\.kagi-store\.driver is not configured$/m);

    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.stdout).toMatch(
      /^fixed stores +re-encrypted 1 line\(s\) of web\/development to key epoch 2$/m,
    );
    expect(fix.code, fix.stdout).toBe(0);
    expect(fix.stderr).toBe('Commit .kagi/secrets/web/development.enc now.\n');
    kagiOk(me, dir, ['verify']);
    expect(printenv(me, dir, ['web'], 'WEB_KEY').stdout).toBe(`${PLANTED.WEB_KEY}\n`);
    const listed = JSON.parse(kagiOk(me, dir, ['get', 'web', '--json']).stdout) as Array<{
      name: string;
      inherited_from: string | null;
    }>;
    expect(listed.filter((row) => !row.inherited_from).map((row) => row.name)).toEqual(['WEB_KEY']);
    // Only the stale store changed: every other line stays byte-identical.
    expect(git(me, dir, ['status', '--porcelain']).stdout).toBe(
      ' M .kagi/secrets/web/development.enc\n',
    );
    expectNoValues(withKey, withoutKey, doctor, fix);
  });

  it('brings a member approved before it: doctor --fix re-wraps the entry, who can then read', () => {
    const { dir, me } = fork();
    const bob = makePerson('bob');
    git(me, dir, ['checkout', '-q', '-b', 'bob']);
    const bobId = joinAndApprove(bob, me, dir);
    commitAll(me, dir, 'bob joins');
    const bobEntry = readAccess(dir).members.find((m) => m.id === bobId);
    git(me, dir, ['checkout', '-q', 'main']);
    kagiOk(me, dir, ['rotate']);
    commitAll(me, dir, 'rotate');
    removeDrivers(me, dir);
    const merge = git(me, dir, ['merge', '-q', '--no-edit', 'bob'], true);
    if (merge.code !== 0) {
      // git's text merge can conflict in access.json: resolve it as a person would, with main's
      // file plus bob's entry from the branch.
      const main = JSON.parse(git(me, dir, ['show', 'main:.kagi/access.json']).stdout);
      main.members.push(bobEntry);
      writeAccess(dir, main);
      commitAll(me, dir, 'merge bob');
    }
    const access = readAccess(dir);
    expect(access.epoch).toBe(2);
    expect(access.members.find((m) => m.id === bobId)?.status).toBe('active');

    const denied = printenv(bob, dir, ['api'], 'API_TOKEN');
    expect(denied.code).toBe(4);
    const verify = kagi(me, dir, ['verify']);
    expect(verify.code).toBe(4);
    expect(verify.stderr).toMatch(new RegExp(`the seal of member ${bobId} does not verify`));
    const doctor = kagi(me, dir, ['doctor']);
    expect(doctor.code).toBe(4);
    expect(doctor.stdout).toMatch(
      new RegExp(
        `fix: ${bobId} was approved at key epoch 1, before a rotation .*doctor --fix re-wraps it`,
      ),
    );

    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.stdout).toMatch(
      new RegExp(
        `^fixed members +re-wrapped ${bobId} \\(bob\\), approved at key epoch 1, to epoch 2$`,
        'm',
      ),
    );
    expect(fix.code, fix.stdout).toBe(0);
    expect(fix.stderr).toBe('Commit .kagi/access.json now.\n');
    kagiOk(me, dir, ['verify']);
    expect(printenv(bob, dir, ['api'], 'API_TOKEN').stdout).toBe(`${PLANTED.API_TOKEN}\n`);
    expectNoValues(denied, verify, doctor, fix);
  });

  it('never re-admits a removed member whose old "active" entry was put back', () => {
    const { dir, me } = fork();
    const bob = makePerson('bob');
    const bobId = joinAndApprove(bob, me, dir);
    commitAll(me, dir, 'bob joins');
    const approved = readAccess(dir).members.find((m) => m.id === bobId);
    kagiOk(me, dir, ['member', 'remove', bobId, '--yes']);
    commitAll(me, dir, 'remove bob');
    // bob (or anyone) pastes the epoch-1 entry back: its seal verifies under epoch 1.
    const access = readAccess(dir);
    access.members = access.members.filter((m) => m.id !== bobId);
    access.members.push(approved as Member);
    writeAccess(dir, access);
    commitAll(me, dir, 'sneak bob back');

    expect(kagi(me, dir, ['verify']).code).toBe(4);
    const doctor = kagi(me, dir, ['doctor']);
    expect(doctor.stdout).toMatch(
      new RegExp(`fix: ${bobId} was approved at key epoch 1 but removed since`),
    );
    const before = readAccessText(dir);
    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.code).toBe(4);
    expect(fix.stdout).toMatch(
      new RegExp(`^left  members +${bobId} \\(bob\\) was removed after its approval`, 'm'),
    );
    expect(readAccessText(dir)).toBe(before);
    expect(printenv(bob, dir, ['api'], 'API_TOKEN').code).not.toBe(0);
  });
});

describe('git kagi doctor', () => {
  it('reports every check ok on a good project', () => {
    const { dir, me } = fork();
    const r = kagi(me, dir, ['doctor']);
    expect(r.code, r.stdout).toBe(0);
    for (const name of [
      'repository',
      'project',
      'identity',
      'key',
      'member',
      'pin',
      'drivers',
      'attributes',
      'hooks',
      'rotation',
      'files',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^ok +${name} `, 'm'));
    }
    expect(r.stdout).toMatch(/^ok +identity +~\/kagi\/identity\.txt$/m);
    expect(r.stdout).not.toMatch(/FAIL/);
    expectNoValues(r);
  });

  it('fails without drivers, attributes and hooks, and --fix installs them', () => {
    const { dir, me } = fork();
    removeDrivers(me, dir);
    for (const hook of ['pre-commit', 'post-checkout', 'post-merge'])
      rmSync(path.join(dir, '.git', 'hooks', hook), { force: true });
    writeFileSync(path.join(dir, '.gitattributes'), '');
    const r = kagi(me, dir, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^FAIL drivers +merge\.kagi-store\.driver is not configured\n {5}fix: git kagi doctor --fix$/m,
    );
    expect(r.stdout).toMatch(/^FAIL drivers +merge\.kagi-access\.driver is not configured$/m);
    expect(r.stdout).toMatch(/^FAIL drivers +diff\.kagi\.textconv is not configured$/m);
    expect(r.stdout).toMatch(/^FAIL attributes +\.gitattributes lacks the git-kagi block/m);
    expect(r.stdout).toMatch(
      /^FAIL hooks +the pre-commit hook is not installed \(\.git\/hooks\/pre-commit\)$/m,
    );
    expect(r.stdout).toMatch(/^FAIL hooks +the post-merge hook is not installed/m);

    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.code, fix.stdout).toBe(0);
    expect(fix.stdout).toMatch(/^fixed drivers +installed \.gitattributes, git config /m);
    expect(git(me, dir, ['config', 'merge.kagi-store.driver']).stdout.trim()).toBe(
      'git kagi merge-driver store %O %A %B %P',
    );
    expect(readFileSync(path.join(dir, '.git', 'hooks', 'pre-commit'), 'utf8')).toMatch(
      /git kagi hook pre-commit|git-kagi/,
    );
    expect(kagi(me, dir, ['doctor']).code).toBe(0);
  });

  it('fails on loose file modes in the git-kagi home, and --fix tightens them', () => {
    const { dir, me } = fork();
    chmodSync(path.join(me.home, 'identity.txt'), 0o644);
    chmodSync(me.home, 0o755);
    const r = kagi(me, dir, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL home +~\/kagi\/identity\.txt has mode 0644; it must be 0600/m);
    expect(r.stdout).toMatch(/^FAIL home +~\/kagi has mode 0755; it must be 0700/m);
    const fix = kagi(me, dir, ['doctor', '--fix']);
    expect(fix.code, fix.stdout).toBe(0);
    expect(statSync(path.join(me.home, 'identity.txt')).mode & 0o777).toBe(0o600);
    expect(statSync(me.home).mode & 0o777).toBe(0o700);
  });

  it('explains a device that is not a member, and one without an identity', () => {
    const { dir } = fork();
    const nobody = makePerson('nobody');
    const r = kagi(nobody, dir, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL identity +this device has no identity/m);
    expect(r.stdout).toMatch(/^FAIL key +this device has no git-kagi identity/m);
    expect(r.stdout).toMatch(/^ok +files +.*\(structure only: no key\)$/m);

    const bob = makePerson('bob');
    kagiOk(bob, dir, ['join', '--name', 'bob']);
    const pending = kagi(bob, dir, ['doctor']);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/^ok +identity /m);
    expect(pending.stdout).toMatch(/^FAIL key +this device \(kgm_\S+\) is waiting for approval/m);
    expect(pending.stdout).toMatch(/fix: ask an active member to run `git kagi member approve/);
  });

  it('fails outside a project', () => {
    const nobody = makePerson('nobody');
    const r = kagi(nobody, makeRepo(nobody), ['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok +repository /m);
    expect(r.stdout).toMatch(/^FAIL project +no git-kagi project in /m);
  });
});
