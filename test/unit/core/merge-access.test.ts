// Unit and property tests of src/core/merge-access.ts: access.json merged member by member (DESIGN §5):
// join requests from both sides survive, removed > active > pending, the higher epoch wins.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessFile, HistoryEntry, Member, MemberStatus } from '../../../src/core/access.js';
import { mergeAccess } from '../../../src/core/merge-access.js';

const PROJECT = 'kgp_AAAAAAAAAAAA';
const id = (n: string) => `kgm_${n.padEnd(12, 'x')}`;

function member(name: string, status: MemberStatus, epochTag = 'e1'): Member {
  const m: Member = {
    id: id(name),
    name,
    recipient: `age1${name}`,
    status,
    requested_at: '2024-01-01T00:00:00.000Z',
  };
  if (status !== 'pending') {
    m.approved_by = id('alice');
    m.approved_at = '2024-01-02T00:00:00.000Z';
    m.seal = `seal-${name}-${status}-${epochTag}`;
  }
  if (status === 'active') m.wrapped_key = `wrapped-${name}-${epochTag}`;
  return m;
}

function history(...epochs: Array<[number, string]>): HistoryEntry[] {
  return epochs.map(([epoch, key_id]) => ({
    epoch,
    key_id,
    sealed_key: `sealed-${key_id}`,
    proof: `proof-${key_id}`,
  }));
}

function access(
  epoch: number,
  keyId: string,
  members: Member[],
  hist: HistoryEntry[] = [],
): AccessFile {
  return {
    format: 'git-kagi/1',
    project_id: PROJECT,
    epoch,
    key_id: keyId,
    history: hist,
    members,
  };
}

const alice = member('alice', 'active');
const base = access(1, 'kid_one', [alice]);

describe('mergeAccess', () => {
  it('keeps the join requests of both sides (two PRs, each adding one)', () => {
    const bob = member('bob', 'pending');
    const carol = member('carol', 'pending');
    const merged = mergeAccess(
      base,
      access(1, 'kid_one', [alice, bob]),
      access(1, 'kid_one', [alice, carol]),
    );
    expect(merged.conflict).toBeNull();
    expect(merged.stale).toEqual([]);
    expect(merged.access).toEqual(access(1, 'kid_one', [alice, bob, carol]));
  });

  it('merges join requests the same whichever side is ours', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.stringMatching(/^[a-w]{1,8}$/).filter((n) => n !== 'alice'),
          { maxLength: 12 },
        ),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (names, onOurs) => {
          const joins = names.map((n) => member(n, 'pending'));
          const ours = access(1, 'kid_one', [alice, ...joins.filter((_, i) => onOurs[i])]);
          const theirs = access(1, 'kid_one', [alice, ...joins.filter((_, i) => !onOurs[i])]);
          const one = mergeAccess(base, ours, theirs);
          const two = mergeAccess(base, theirs, ours);
          expect(one.conflict).toBeNull();
          expect(one.access.members.map((m) => m.id)).toEqual(
            [alice, ...joins].map((m) => m.id).sort(),
          );
          expect(two.access).toEqual(one.access);
        },
      ),
    );
  });

  const statuses: MemberStatus[] = ['pending', 'active', 'removed'];
  const rank = (s: MemberStatus) => statuses.indexOf(s);
  it.each(statuses.flatMap((a) => statuses.map((b) => [a, b] as [MemberStatus, MemberStatus])))(
    'at one epoch, %s on ours and %s on theirs merge to the stronger status',
    (a, b) => {
      const bobBase = member('bob', 'pending');
      const ours = access(1, 'kid_one', [alice, member('bob', a)]);
      const theirs = access(1, 'kid_one', [alice, member('bob', b)]);
      const merged = mergeAccess(access(1, 'kid_one', [alice, bobBase]), ours, theirs);
      expect(merged.conflict).toBeNull();
      const bob = merged.access.members.find((m) => m.id === id('bob'));
      const stronger = rank(a) >= rank(b) ? a : b;
      expect(bob).toEqual(member('bob', stronger)); // the whole entry of that side, seal included
    },
  );

  it('takes the higher epoch’s key, history and entries; a removal there beats an approval here', () => {
    const bob = member('bob', 'pending');
    const high = access(
      2,
      'kid_two',
      [member('alice', 'active', 'e2'), member('bob', 'removed', 'e2')],
      history([1, 'kid_one']),
    );
    const low = access(1, 'kid_one', [alice, member('bob', 'active')]);
    for (const [ours, theirs] of [
      [high, low],
      [low, high],
    ] as const) {
      const merged = mergeAccess(access(1, 'kid_one', [alice, bob]), ours, theirs);
      expect(merged.conflict).toBeNull();
      expect(merged.access.epoch).toBe(2);
      expect(merged.access.key_id).toBe('kid_two');
      expect(merged.access.history).toEqual(history([1, 'kid_one']));
      expect(merged.access.members).toEqual([
        member('alice', 'active', 'e2'),
        member('bob', 'removed', 'e2'),
      ]);
      expect(merged.stale).toEqual([]);
    }
  });

  it('keeps what the lower epoch added (a join, an approval) and flags approvals as stale', () => {
    const high = access(
      2,
      'kid_two',
      [member('alice', 'active', 'e2'), member('bob', 'pending')],
      history([1, 'kid_one']),
    );
    const low = access(1, 'kid_one', [
      alice,
      member('bob', 'active'),
      member('carol', 'active'),
      member('dave', 'pending'),
    ]);
    const merged = mergeAccess(access(1, 'kid_one', [alice, member('bob', 'pending')]), high, low);
    expect(merged.conflict).toBeNull();
    expect(merged.access.key_id).toBe('kid_two');
    expect(merged.access.members.map((m) => [m.name, m.status])).toEqual([
      ['alice', 'active'],
      ['bob', 'active'],
      ['carol', 'active'],
      ['dave', 'pending'],
    ]);
    // Wrapped to the old key: they must be re-wrapped (or left for doctor --fix).
    expect(merged.stale.map((m) => m.name).sort()).toEqual(['bob', 'carol']);
  });

  it('refuses two rotations to the same epoch with different keys', () => {
    const ours = access(2, 'kid_two_a', [alice], history([1, 'kid_one']));
    const theirs = access(2, 'kid_two_b', [alice], history([1, 'kid_one']));
    const merged = mergeAccess(base, ours, theirs);
    expect(merged.conflict).toMatch(/both sides rotated the key to epoch 2/);
  });

  it('refuses rotations made separately (the lower epoch is not in the higher one’s history)', () => {
    const ours = access(3, 'kid_three', [alice], history([1, 'kid_one'], [2, 'kid_two_a']));
    const theirs = access(2, 'kid_two_b', [alice], history([1, 'kid_one']));
    expect(mergeAccess(base, ours, theirs).conflict).toMatch(/rotated the key separately/);
    expect(mergeAccess(base, theirs, ours).conflict).toMatch(/rotated the key separately/);
  });

  it('accepts a lower side that is a true ancestor epoch of the higher one', () => {
    const ours = access(3, 'kid_three', [alice], history([1, 'kid_one'], [2, 'kid_two']));
    const theirs = access(
      2,
      'kid_two',
      [alice, member('erin', 'pending')],
      history([1, 'kid_one']),
    );
    const merged = mergeAccess(base, ours, theirs);
    expect(merged.conflict).toBeNull();
    expect(merged.access.epoch).toBe(3);
    expect(merged.access.members.map((m) => m.name)).toEqual(['alice', 'erin']);
  });

  it('survives a base that could not be read (a virtual merge base)', () => {
    const merged = mergeAccess(
      null,
      access(1, 'kid_one', [alice, member('bob', 'pending')]),
      access(1, 'kid_one', [alice, member('carol', 'pending')]),
    );
    expect(merged.access.members.map((m) => m.name)).toEqual(['alice', 'bob', 'carol']);
  });
});
