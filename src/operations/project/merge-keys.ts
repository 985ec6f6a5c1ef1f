// Keys for merging (DESIGN §5): during a merge, the work tree still holds our access.json, while
// their side may be at a higher epoch. Every access.json git can show us is tried, the highest
// epoch that unlocks wins, and older epochs' keys come from its history.
import { type AccessFile, parseAccess } from '../../core/access.js';
import { openHistoryKey } from '../../crypto/history.js';
import { deriveProjectKeys, type ProjectKeys } from '../../crypto/keys.js';
import { KagiError } from '../../errors.js';
import { readBlobs } from '../../io/git-objects.js';
import type { Runtime } from '../../runtime.js';
import type { Project } from './read-project.js';
import { unlockProject } from './unlock-project.js';

export interface MergeKeys {
  access: AccessFile;
  /** Keys of the given epoch, or null when it is above what we hold or not in the history. */
  forEpoch(epoch: number): ProjectKeys | null;
  top: ProjectKeys;
}

const MERGE_REFS = ['MERGE_HEAD', 'REBASE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD'];

export async function findMergeKeys(
  rt: Runtime,
  project: Project,
  extra: readonly AccessFile[] = [],
): Promise<MergeKeys | null> {
  const candidates: AccessFile[] = [project.access, ...extra];
  // `git merge` (and so `git pull`) runs the drivers before it writes MERGE_HEAD; the commits
  // being merged are named by the GITHEAD_<sha> variables it sets for its children.
  const heads = Object.keys(rt.env)
    .filter((name) => /^GITHEAD_[0-9a-f]{40}([0-9a-f]{24})?$/.test(name))
    .map((name) => name.slice('GITHEAD_'.length));
  const blobs = await readBlobs(
    project.repo.root,
    [...MERGE_REFS, ...heads].map((ref) => `${ref}:.kagi/access.json`),
  );
  for (const text of blobs.values()) {
    if (text === null) continue;
    try {
      candidates.push(parseAccess(text));
    } catch {}
  }
  candidates.sort((a, b) => b.epoch - a.epoch);
  for (const access of candidates) {
    if (access.project_id !== project.access.project_id) continue;
    try {
      const unlocked = await unlockProject(rt, { ...project, access });
      return withHistory(access, unlocked.keys);
    } catch (error) {
      if (!(error instanceof KagiError)) throw error;
    }
  }
  return null;
}

export function withHistory(access: AccessFile, top: ProjectKeys): MergeKeys {
  const cache = new Map<number, ProjectKeys>([[access.epoch, top]]);
  return {
    access,
    top,
    forEpoch(epoch) {
      const known = cache.get(epoch);
      if (known) return known;
      const entry = access.history.find((h) => h.epoch === epoch);
      if (!entry) return null;
      try {
        const keys = deriveProjectKeys(openHistoryKey(top, access.project_id, entry));
        cache.set(epoch, keys);
        return keys;
      } catch {
        return null;
      }
    },
  };
}
