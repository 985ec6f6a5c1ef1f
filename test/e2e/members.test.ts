// Member commands as a user sees them: `member list --json` fields, idempotent `join`, names that
// could drive a terminal, `add-machine --out`, and confirmations with and without a terminal.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  git,
  kagi,
  kagiOk,
  kagiOnTerminal,
  makePerson,
  makeRepo,
  makeTempDir,
  type Person,
  readAccess,
  readAccessText,
  writeAccess,
} from './harness.js';
import { joinProject } from './team.js';
import { snapshotTree } from './tree.js';

afterAll(() => cleanup());

let alice: Person;
let bob: Person;
let dir: string;
let aliceId: string;
let bobId: string;

/** Every file and folder under .kagi/ with its bytes. */
function kagiFiles(): Record<string, string> {
  return snapshotTree(dir, { paths: ['.kagi'] });
}

/** One repository per test: alice (active) set a secret, bob joined and waits; all committed. */
beforeEach(() => {
  alice = makePerson('alice');
  bob = makePerson('bob');
  dir = makeRepo(alice);
  aliceId = '';
  kagiOk(alice, dir, ['init', '--name', 'alice']);
  kagiOk(alice, dir, ['set', 'KEY', 'members-value-Hg6tY1']);
  aliceId = readAccess(dir).members[0]?.id as string;
  bobId = joinProject(bob, dir);
  git(alice, dir, ['add', '.']);
  git(alice, dir, ['commit', '-q', '-m', 'kagi']);
});

describe('member list --json', () => {
  it('lists every member with id, name, status, fingerprint, approver and seal check', () => {
    kagiOk(alice, dir, ['member', 'approve', bobId, '--yes']);
    const carolId = joinProject(makePerson('carol'), dir);
    const r = kagiOk(alice, dir, ['member', 'list', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ epoch: 1, seals_checked: true });
    const byId = new Map<string, Record<string, unknown>>(
      out.members.map((m: Record<string, unknown>) => [m.id, m]),
    );
    for (const row of byId.values()) {
      for (const field of [
        'id',
        'name',
        'status',
        'fingerprint',
        'approved_by',
        'approved_at',
        'seal_ok',
      ])
        expect(row).toHaveProperty(field);
      expect(row.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    }
    expect(byId.get(aliceId)).toMatchObject({
      name: 'alice',
      status: 'active',
      approved_by: 'alice',
      seal_ok: true,
    });
    const bobRow = byId.get(bobId);
    expect(bobRow).toMatchObject({
      name: 'bob',
      status: 'active',
      approved_by: 'alice',
      seal_ok: true,
    });
    expect(Date.parse(bobRow?.approved_at as string)).not.toBeNaN();
    expect(byId.get(carolId)).toMatchObject({
      name: 'carol',
      status: 'pending',
      approved_by: null,
      approved_at: null,
      seal_ok: null,
    });
    // The fingerprints are those of the recipients, distinct per member.
    expect(new Set([...byId.values()].map((m) => m.fingerprint)).size).toBe(3);
  });

  it('from a device without access it lists everyone but checks no seal', () => {
    const r = kagi(bob, dir, ['member', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.seals_checked).toBe(false);
    expect(out.members.map((m: { seal_ok: unknown }) => m.seal_ok)).toEqual([null, null]);
    const text = kagi(bob, dir, ['member', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('seals not checked');
  });
});

describe('join', () => {
  it('twice from one device is idempotent: same id, access.json unchanged', () => {
    const before = readAccessText(dir);
    const again = kagiOk(bob, dir, ['join', '--name', 'bob']);
    expect(again.stdout.trim()).toBe(bobId);
    expect(again.stderr).toContain(`already member ${bobId} (pending)`);
    const renamed = kagiOk(bob, dir, ['join', '--name', 'robert']);
    expect(renamed.stdout.trim()).toBe(bobId);
    expect(readAccessText(dir)).toBe(before);
  });

  it('refuses a name with control characters (exit 2), creating nothing', () => {
    const carol = makePerson('carol');
    const before = readAccessText(dir);
    for (const name of [
      'carol\u001b[31m',
      'carol\nalice',
      'tab\there',
      'bidi\u202eecilA',
      ' pad',
    ]) {
      const r = kagi(carol, dir, ['join', '--name', name]);
      expect(r.code, JSON.stringify(name)).toBe(2);
      expect(r.stderr).toMatch(/^error: a member name is 1-64 printable characters/m);
      expect(r.stderr).not.toContain('\u001b');
    }
    expect(readAccessText(dir)).toBe(before);
    expect(() => statSync(path.join(carol.home, 'identity.txt'))).toThrow();
  });

  it('a name with terminal escapes written into access.json by hand is shown sanitised', () => {
    const evil = 'mal\u001b[2J\u001b]0;pwned\u0007lory\u202e\r';
    const access = readAccess(dir);
    const entry = access.members.find((m) => m.id === bobId);
    if (!entry) throw new Error('bob missing');
    entry.name = evil;
    writeAccess(dir, access);
    for (const args of [
      ['member', 'list'],
      ['member', 'list', '--json'],
    ]) {
      const r = kagi(alice, dir, args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
      expect(r.stdout).toContain('mal?[2J?]0;pwned?lory??');
    }
    const approve = kagi(alice, dir, ['member', 'approve', bobId, '--yes']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(approve.stderr).toContain('mal?[2J?]0;pwned?lory??');
  });
});

describe('member add-machine --out', () => {
  it('writes the identity with mode 0600 and registers an active, sealed member', () => {
    const file = path.join(makeTempDir('kagi-machine-'), 'ci.txt');
    const r = kagiOk(alice, dir, ['member', 'add-machine', 'ci', '--out', file]);
    expect(r.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/m);
    expect(r.stderr).not.toContain(/AGE-SECRET-KEY-1\S+/.exec(text)?.[0]);
    const recipient = /^# public key: (age1\S+)$/m.exec(text)?.[1];
    const machine = readAccess(dir).members.find((m) => m.name === 'ci');
    expect(machine).toMatchObject({ status: 'active', recipient, approved_by: aliceId });
    const list = JSON.parse(kagiOk(alice, dir, ['member', 'list', '--json']).stdout);
    expect(list.members.find((m: { name: string }) => m.name === 'ci')?.seal_ok).toBe(true);
    const read = kagi(makePerson('ci'), dir, ['run', '--', 'printenv', 'KEY'], '', {
      KAGI_IDENTITY_FILE: file,
    });
    expect(read.stdout).toBe('members-value-Hg6tY1\n');
  });

  it('refuses a file that exists: nothing registered, the file untouched', () => {
    const file = path.join(makeTempDir('kagi-machine-'), 'ci.txt');
    writeFileSync(file, 'precious\n');
    const before = kagiFiles();
    const r = kagi(alice, dir, ['member', 'add-machine', 'ci', '--out', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*ci\.txt already exists/m);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
    expect(kagiFiles()).toEqual(before);
  });

  it('without --out and without a terminal it refuses (exit 2) and registers nothing', () => {
    const before = kagiFiles();
    const r = kagi(alice, dir, ['member', 'add-machine', 'ci']);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('AGE-SECRET-KEY');
    expect(kagiFiles()).toEqual(before);
  });
});

describe('confirmations', () => {
  it('approve and remove without --yes and without a terminal refuse, changing nothing', () => {
    const before = kagiFiles();
    const approve = kagi(alice, dir, ['member', 'approve', bobId]);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toMatch(/^error: approving needs a confirmation on a terminal/m);
    expect(approve.stderr).toMatch(/^hint: .*--yes/m);
    expect(kagiFiles()).toEqual(before);

    kagiOk(alice, dir, ['member', 'approve', bobId, '--yes']);
    const approved = kagiFiles();
    const remove = kagi(alice, dir, ['member', 'remove', bobId]);
    expect(remove.code).toBe(1);
    expect(remove.stderr).toMatch(/^error: removing a member needs a confirmation on a terminal/m);
    expect(remove.stdout).toBe('');
    expect(kagiFiles()).toEqual(approved);
  });

  it('approve on a terminal: `y` approves, anything else changes nothing', () => {
    const before = kagiFiles();
    const no = kagiOnTerminal(alice, dir, ['member', 'approve', bobId], ['n\r']);
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('nothing was changed');
    expect(kagiFiles()).toEqual(before);

    const yes = kagiOnTerminal(alice, dir, ['member', 'approve', bobId], ['y\r']);
    expect(yes.code, yes.stdout).toBe(0);
    expect(yes.stdout).toContain('Give bob access to every secret of this project? [y/N]');
    expect(yes.stdout).toMatch(/fingerprint: [0-9a-f]{4}( [0-9a-f]{4}){3}/);
    expect(readAccess(dir).members.find((m) => m.id === bobId)?.status).toBe('active');
    expect(kagi(bob, dir, ['run', '--', 'printenv', 'KEY']).stdout).toBe('members-value-Hg6tY1\n');
  });

  it('remove on a terminal needs the typed member id', () => {
    kagiOk(alice, dir, ['member', 'approve', bobId, '--yes']);
    const before = kagiFiles();
    const wrong = kagiOnTerminal(alice, dir, ['member', 'remove', bobId], ['y\r']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('the id did not match; nothing was changed');
    expect(kagiFiles()).toEqual(before);

    const typed = kagiOnTerminal(alice, dir, ['member', 'remove', bobId], [`${bobId}\r`]);
    expect(typed.code, typed.stdout).toBe(0);
    expect(typed.stdout).toContain(': KEY');
    expect(readAccess(dir)).toMatchObject({ epoch: 2 });
    expect(readAccess(dir).members.find((m) => m.id === bobId)?.status).toBe('removed');
  });
});
