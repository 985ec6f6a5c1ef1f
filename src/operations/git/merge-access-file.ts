// The access.json merge driver (DESIGN §5): member by member (core/merge-access.ts); entries
// approved under the lower epoch are re-wrapped and re-sealed when the key is at hand, otherwise
// left for `git kagi doctor --fix` with a notice.
import { type AccessFile, formatAccess, parseAccess } from '../../core/access.js';
import { mergeAccess } from '../../core/merge-access.js';
import { verifySeal } from '../../crypto/seal.js';
import type { Runtime } from '../../runtime.js';
import { removedMembersOnce, sealMember, wasRemovedSince } from '../project/members.js';
import { findMergeKeys } from '../project/merge-keys.js';
import type { Project } from '../project/read-project.js';

export interface AccessMergeResult {
  text: string;
  conflict: string | null;
  notices: string[];
}

export async function mergeAccessTexts(
  rt: Runtime,
  project: Project | null,
  texts: { base: string; ours: string; theirs: string },
): Promise<AccessMergeResult> {
  const ours = parseAccess(texts.ours, '.kagi/access.json (ours)');
  const theirs = parseAccess(texts.theirs, '.kagi/access.json (theirs)');
  let base: AccessFile | null = null;
  try {
    base = parseAccess(texts.base, '.kagi/access.json (base)');
  } catch {}
  const merged = mergeAccess(base, ours, theirs);
  if (merged.conflict) return { text: texts.ours, conflict: merged.conflict, notices: [] };
  const notices: string[] = [];
  const { access } = merged;
  if (merged.stale.length > 0) {
    const lowEpoch = Math.min(ours.epoch, theirs.epoch);
    const keys = project ? await findMergeKeys(rt, project, [ours, theirs]) : null;
    const top = keys && keys.access.key_id === access.key_id ? keys : null;
    const low = top?.forEpoch(lowEpoch) ?? null;
    const removed = project ? removedMembersOnce(project.repo) : null;
    for (const m of merged.stale) {
      if (!top || !low || !verifySeal(low.seal, access.project_id, lowEpoch, m)) {
        notices.push(
          `git-kagi: member ${m.id} was ${m.status === 'active' ? 'approved' : 'changed'} before the key rotation and could not be ${top ? 'verified' : 're-wrapped without the key'}; run \`git kagi doctor --fix\` on a member's device`,
        );
        continue;
      }
      const entry = access.members.find((x) => x.id === m.id);
      if (!entry) continue;
      // An approval from before a rotation whose member was removed since (the other side then
      // dropped or rewrote the removed entry, which needs no key) is never re-wrapped: the rule
      // of `doctor --fix`, else a removed member pushes such an edit and a merge re-admits him.
      if (removed && (await wasRemovedSince(entry, removed))) {
        notices.push(
          `git-kagi: member ${m.id} was removed after this approval; not re-wrapped (remove the entry with \`git kagi member remove ${m.id}\`)`,
        );
        continue;
      }
      await sealMember(entry, top.top, access.project_id, access.epoch);
      notices.push(
        `git-kagi: re-wrapped member ${m.id} to the current key (epoch ${access.epoch})`,
      );
    }
  }
  return { text: formatAccess(access), conflict: null, notices };
}
