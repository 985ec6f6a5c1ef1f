// Three-way merge of access.json (DESIGN §5), pure: member by member, so concurrent join requests
// all survive; removed beats active beats pending; the higher epoch's key, history and entries win.
import type { AccessFile, Member, MemberStatus } from './access.js';

const RANK: Record<MemberStatus, number> = { pending: 0, active: 1, removed: 2 };

export interface AccessMerge {
  access: AccessFile;
  /** Active entries that came from the lower epoch: their wrapped key and seal are stale. */
  stale: Member[];
  /** Both sides rotated to the same epoch with different keys: no automatic merge. */
  conflict: string | null;
}

export function mergeAccess(
  base: AccessFile | null,
  ours: AccessFile,
  theirs: AccessFile,
): AccessMerge {
  if (ours.epoch === theirs.epoch && ours.key_id !== theirs.key_id) {
    return {
      access: ours,
      stale: [],
      conflict: `both sides rotated the key to epoch ${ours.epoch} (two different keys)`,
    };
  }
  const high = theirs.epoch > ours.epoch ? theirs : ours;
  const low = high === ours ? theirs : ours;
  const lowInHistory = high.history.find((h) => h.epoch === low.epoch);
  if (high.epoch !== low.epoch && lowInHistory?.key_id !== low.key_id) {
    return {
      access: ours,
      stale: [],
      conflict: `the two sides rotated the key separately (epoch ${low.epoch} is not in the history of epoch ${high.epoch})`,
    };
  }
  const highIds = new Set(high.members.map((m) => m.id));
  const lowById = new Map(low.members.map((m) => [m.id, m]));
  const baseIds = new Set(base?.members.map((m) => m.id) ?? []);
  const members: Member[] = [];
  const stale: Member[] = [];
  for (const m of high.members) {
    const other = lowById.get(m.id);
    if (other && RANK[other.status] > RANK[m.status]) {
      members.push(other);
      if (other.status === 'active' && high.epoch !== low.epoch) stale.push(other);
    } else {
      members.push(m);
    }
  }
  for (const m of low.members) {
    if (highIds.has(m.id)) continue;
    // An entry the higher side does not have: added on the lower side (a join or an approval),
    // unless the higher side deleted it, which git kagi never does.
    if (
      baseIds.has(m.id) &&
      high === ours &&
      base !== null &&
      ours.members.every((x) => x.id !== m.id)
    )
      continue;
    members.push(m);
    if (m.status !== 'pending' && high.epoch !== low.epoch) stale.push(m);
  }
  members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { access: { ...high, members }, stale, conflict: null };
}
