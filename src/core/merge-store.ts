// Three-way merges of one store (DESIGN §5), pure. By tag when every side is at one epoch (no key
// needed: a tag stays the same while its name exists); by name on decrypted records otherwise.

import type { StoreLine } from './store.js';
import { compareTags } from './store.js';

export interface TagMerge {
  lines: StoreLine[];
  /** Tags changed two ways (values unknown without a key). */
  conflicts: Array<{ tag: string; ours: StoreLine | undefined; theirs: StoreLine | undefined }>;
}

const sameLine = (a: StoreLine | undefined, b: StoreLine | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.epoch === b.epoch && a.payload === b.payload);

export function mergeByTag(
  base: readonly StoreLine[],
  ours: readonly StoreLine[],
  theirs: readonly StoreLine[],
): TagMerge {
  const o = new Map(base.map((l) => [l.tag, l]));
  const a = new Map(ours.map((l) => [l.tag, l]));
  const b = new Map(theirs.map((l) => [l.tag, l]));
  const lines: StoreLine[] = [];
  const conflicts: TagMerge['conflicts'] = [];
  for (const tag of new Set([...o.keys(), ...a.keys(), ...b.keys()])) {
    const lo = o.get(tag);
    const la = a.get(tag);
    const lb = b.get(tag);
    let chosen: StoreLine | undefined;
    if (sameLine(la, lb)) chosen = la;
    else if (sameLine(la, lo)) chosen = lb;
    else if (sameLine(lb, lo)) chosen = la;
    else {
      conflicts.push({ tag, ours: la, theirs: lb });
      continue;
    }
    if (chosen) lines.push(chosen);
  }
  return {
    lines: lines.sort(compareTags),
    conflicts: conflicts.sort(compareTags),
  };
}

export interface NamedRecord<T> {
  value: string;
  item: T;
}

export interface NameMerge<T> {
  chosen: Array<{ name: string; item: T }>;
  conflicts: Array<{ name: string; ours: T | undefined; theirs: T | undefined }>;
}

/** The same three-way rule on names and decrypted values: equal values merge, whoever wrote them. */
export function mergeByName<T>(
  base: ReadonlyMap<string, NamedRecord<T>>,
  ours: ReadonlyMap<string, NamedRecord<T>>,
  theirs: ReadonlyMap<string, NamedRecord<T>>,
): NameMerge<T> {
  const same = (x: NamedRecord<T> | undefined, y: NamedRecord<T> | undefined) =>
    x === y || (x !== undefined && y !== undefined && x.value === y.value);
  const chosen: NameMerge<T>['chosen'] = [];
  const conflicts: NameMerge<T>['conflicts'] = [];
  const names = [...new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])].sort();
  for (const name of names) {
    const o = base.get(name);
    const a = ours.get(name);
    const b = theirs.get(name);
    let pick: NamedRecord<T> | undefined;
    if (same(a, b)) pick = a;
    else if (same(a, o)) pick = b;
    else if (same(b, o)) pick = a;
    else {
      conflicts.push({ name, ours: a?.item, theirs: b?.item });
      continue;
    }
    if (pick) chosen.push({ name, item: pick.item });
  }
  return { chosen, conflicts };
}
