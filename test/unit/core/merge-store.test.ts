// Unit and property tests of src/core/merge-store.ts: the three-way merge of one store by tag (no key)
// and by name on decrypted values (DESIGN §5): identity, symmetry, nothing changed on one side lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeByName, mergeByTag, type NamedRecord } from '../../../src/core/merge-store.js';
import type { StoreLine } from '../../../src/core/store.js';

const line = (tag: string, payload: string, epoch = 1): StoreLine => ({
  tag: tag.padEnd(22, tag[0]),
  epoch,
  payload,
});
const A = line('A', 'a0');
const B = line('B', 'b0');
const C = line('C', 'c0');

describe('mergeByTag', () => {
  it('takes a change from whichever side made it', () => {
    const a1 = line('A', 'a1');
    const c1 = line('C', 'c1');
    expect(mergeByTag([A, B, C], [a1, B, C], [A, B, c1])).toEqual({
      lines: [a1, B, c1],
      conflicts: [],
    });
  });

  it('keeps additions from both sides and applies a deletion from one', () => {
    const D = line('D', 'd0');
    const E = line('E', 'e0');
    expect(mergeByTag([A, B], [A, B, E], [B, D])).toEqual({ lines: [B, D, E], conflicts: [] });
  });

  it('merges the same change made on both sides (same line bytes)', () => {
    const a1 = line('A', 'a1');
    expect(mergeByTag([A], [a1], [a1])).toEqual({ lines: [a1], conflicts: [] });
  });

  it('reports a tag changed two ways, or changed on one side and deleted on the other', () => {
    const a1 = line('A', 'a1');
    const a2 = line('A', 'a2');
    const b1 = line('B', 'b1');
    const merged = mergeByTag([A, B, C], [a1, b1, C], [a2, C]);
    expect(merged.lines).toEqual([C]);
    expect(merged.conflicts).toEqual([
      { tag: A.tag, ours: a1, theirs: a2 },
      { tag: B.tag, ours: b1, theirs: undefined },
    ]);
  });

  it('treats the same payload at another epoch as a change', () => {
    const a2 = line('A', 'a0', 2);
    expect(mergeByTag([A], [A], [a2])).toEqual({ lines: [a2], conflicts: [] });
  });

  it('reports the same tag added with different payloads on both sides', () => {
    const x = line('X', 'x1');
    const y = line('X', 'x2');
    expect(mergeByTag([], [x], [y]).conflicts).toEqual([{ tag: x.tag, ours: x, theirs: y }]);
  });
});

// A scenario gives each tag a state on base, ours and theirs: absent, or one of three payloads.
// That covers unchanged lines, one-sided and two-sided changes, adds, deletes and their mixes.
type State = string | null;
const tagArb = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
  minLength: 22,
  maxLength: 22,
});
const stateArb = fc.constantFrom<State>(null, 'p0', 'p1', 'p2');
const scenarioArb = fc.uniqueArray(fc.tuple(tagArb, stateArb, stateArb, stateArb), {
  selector: (t) => t[0],
  maxLength: 25,
});
type Scenario = Array<[string, State, State, State]>;

function sideOf(scenario: Scenario, index: 1 | 2 | 3): StoreLine[] {
  return scenario
    .filter((t) => t[index] !== null)
    .map((t) => ({ tag: t[0], epoch: 1, payload: `${t[index]}` }))
    .sort((x, y) => (x.tag < y.tag ? -1 : 1));
}

function sides(scenario: Scenario) {
  return { base: sideOf(scenario, 1), ours: sideOf(scenario, 2), theirs: sideOf(scenario, 3) };
}

describe('mergeByTag properties', () => {
  it('merging identical sides gives that side, whatever the base', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { base, ours } = sides(scenario);
        expect(mergeByTag(base, ours, ours)).toEqual({ lines: ours, conflicts: [] });
        expect(mergeByTag(ours, ours, ours)).toEqual({ lines: ours, conflicts: [] });
      }),
    );
  });

  it('a side equal to the base gives the other side', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { base, ours } = sides(scenario);
        expect(mergeByTag(base, ours, base)).toEqual({ lines: ours, conflicts: [] });
        expect(mergeByTag(base, base, ours)).toEqual({ lines: ours, conflicts: [] });
      }),
    );
  });

  it('is commutative: swapping the sides swaps only ours/theirs in conflicts', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { base, ours, theirs } = sides(scenario);
        const one = mergeByTag(base, ours, theirs);
        const two = mergeByTag(base, theirs, ours);
        expect(two.lines).toEqual(one.lines);
        expect(two.conflicts).toEqual(
          one.conflicts.map((c) => ({ tag: c.tag, ours: c.theirs, theirs: c.ours })),
        );
      }),
    );
  });

  it('never loses a line changed (added, modified, deleted) on one side only', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { base, ours, theirs } = sides(scenario);
        const merged = mergeByTag(base, ours, theirs);
        const out = new Map(merged.lines.map((l) => [l.tag, l.payload]));
        for (const [tag, o, a, b] of scenario) {
          if (a !== o && b === o) expect(out.get(tag) ?? null).toBe(a);
          if (b !== o && a === o) expect(out.get(tag) ?? null).toBe(b);
        }
      }),
    );
  });

  it('conflicts are exactly the tags changed two different ways; the rest is sorted and unique', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { base, ours, theirs } = sides(scenario);
        const merged = mergeByTag(base, ours, theirs);
        const expected = scenario
          .filter(([, o, a, b]) => a !== o && b !== o && a !== b)
          .map(([tag]) => tag)
          .sort();
        expect(merged.conflicts.map((c) => c.tag)).toEqual(expected);
        const tags = merged.lines.map((l) => l.tag);
        expect(tags).toEqual([...new Set(tags)].sort());
        for (const l of merged.lines) {
          expect(expected).not.toContain(l.tag);
          expect([...ours, ...theirs]).toContainEqual(l); // never invents a line
        }
      }),
    );
  });
});

describe('mergeByName', () => {
  type Item = { side: string; value: string };
  const rec = (side: string, value: string): NamedRecord<Item> => ({
    value,
    item: { side, value },
  });
  const map = (entries: Record<string, NamedRecord<Item>>) => new Map(Object.entries(entries));

  it('merges equal values whoever wrote them, keeping ours', () => {
    const merged = mergeByName(
      map({ K: rec('base', 'v0') }),
      map({ K: rec('ours', 'v1') }),
      map({ K: rec('theirs', 'v1') }),
    );
    expect(merged).toEqual({
      chosen: [{ name: 'K', item: { side: 'ours', value: 'v1' } }],
      conflicts: [],
    });
  });

  it('takes one-sided changes and reports two-way changes by name', () => {
    const merged = mergeByName(
      map({
        A: rec('base', 'a0'),
        B: rec('base', 'b0'),
        C: rec('base', 'c0'),
        D: rec('base', 'd0'),
      }),
      map({
        A: rec('ours', 'a1'),
        B: rec('ours', 'b0'),
        C: rec('ours', 'c1'),
        D: rec('ours', 'd1'),
      }),
      map({
        A: rec('theirs', 'a0'),
        B: rec('theirs', 'b2'),
        C: rec('theirs', 'c2'),
        N: rec('theirs', 'n'),
      }),
    );
    expect(merged.chosen).toEqual([
      { name: 'A', item: { side: 'ours', value: 'a1' } },
      { name: 'B', item: { side: 'theirs', value: 'b2' } },
      { name: 'N', item: { side: 'theirs', value: 'n' } },
    ]);
    expect(merged.conflicts).toEqual([
      { name: 'C', ours: { side: 'ours', value: 'c1' }, theirs: { side: 'theirs', value: 'c2' } },
      { name: 'D', ours: { side: 'ours', value: 'd1' }, theirs: undefined },
    ]);
  });

  // The same scenarios on names: each name absent or one of three values on each side; items
  // record which side they came from, so equal values written by different sides stay distinct.
  const nameArb = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/);
  const namesArb = fc.uniqueArray(fc.tuple(nameArb, stateArb, stateArb, stateArb), {
    selector: (t) => t[0],
    maxLength: 20,
  });
  const sideMap = (scenario: Scenario, index: 1 | 2 | 3, side: string) =>
    new Map(
      scenario
        .filter((t) => t[index] !== null)
        .map((t) => [t[0], rec(side, t[index] as string)] as const),
    );

  it('identical sides give that side; a side equal to the base gives the other', () => {
    fc.assert(
      fc.property(namesArb, (scenario) => {
        const base = sideMap(scenario, 1, 'base');
        const ours = sideMap(scenario, 2, 'ours');
        const values = (m: ReturnType<typeof mergeByName<Item>>) =>
          m.chosen.map((c) => [c.name, c.item.value]);
        const expected = [...ours.entries()]
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .map(([n, r]) => [n, r.value]);
        const same = mergeByName(base, ours, sideMap(scenario, 2, 'theirs'));
        expect(same.conflicts).toEqual([]);
        expect(values(same)).toEqual(expected);
        const oneSided = mergeByName(
          base,
          sideMap(scenario, 1, 'ours'),
          sideMap(scenario, 2, 'theirs'),
        );
        expect(oneSided.conflicts).toEqual([]);
        expect(values(oneSided)).toEqual(expected);
      }),
    );
  });

  it('is commutative on values and never loses a one-sided change', () => {
    fc.assert(
      fc.property(namesArb, (scenario) => {
        const base = sideMap(scenario, 1, 'base');
        const one = mergeByName(base, sideMap(scenario, 2, 'ours'), sideMap(scenario, 3, 'theirs'));
        const two = mergeByName(base, sideMap(scenario, 3, 'theirs'), sideMap(scenario, 2, 'ours'));
        const values = (m: typeof one) => m.chosen.map((c) => [c.name, c.item.value]);
        expect(values(two)).toEqual(values(one));
        expect(two.conflicts.map((c) => c.name)).toEqual(one.conflicts.map((c) => c.name));
        const out = new Map(values(one) as Array<[string, string]>);
        for (const [name, o, a, b] of scenario) {
          if (a !== o && b === o) expect(out.get(name) ?? null).toBe(a);
          if (b !== o && a === o) expect(out.get(name) ?? null).toBe(b);
          if (a !== o && b !== o && a !== b)
            expect(one.conflicts.map((c) => c.name)).toContain(name);
        }
      }),
    );
  });
});
