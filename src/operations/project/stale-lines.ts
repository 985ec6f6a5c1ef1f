// Store lines a merge brought in at an older key epoch (a branch made before a rotation, merged
// without the store driver): re-encrypted to the current key with their record unchanged, by the
// post-merge hook and by `doctor --fix`. Its own lazy chunk: the hook loads it only with work.
import { formatScope, formatScopePath } from '../../core/scope.js';
import { compareTags, formatStore, parseStore, type StoreLine } from '../../core/store.js';
import { decryptSecret, encryptSecret } from '../../crypto/secret-line.js';
import { KagiError } from '../../errors.js';
import { readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { type MergeKeys, withHistory } from './merge-keys.js';
import { listScopes, type Project, readProject, storePath } from './read-project.js';
import { assertWritable, type Unlocked, unlockProject } from './unlock-project.js';

export interface RepairStep {
  name: string;
  /** What was changed, or why something was left as it is. */
  detail: string;
  done: boolean;
  /** Repository files this step changed, to be committed. */
  paths?: string[];
}

/**
 * Lines a text merge brought in from a branch made before a rotation: decrypted with their own
 * epoch's key (from the history) and re-encrypted to the current one with the record unchanged
 * (name, value, updated_at, updated_by). Lines that do not decrypt are left for verify to report.
 */
export async function reencryptStaleStores(
  project: Project,
  keys: MergeKeys,
  steps: RepairStep[],
): Promise<void> {
  const { access } = project;
  const current = access.epoch;
  for (const scope of listScopes(project)) {
    const name = formatScope(scope);
    const where = `.kagi/${formatScopePath(scope)}`;
    const text = await readTextOrNull(storePath(project, scope));
    if (text === null) continue;
    let lines: StoreLine[];
    try {
      lines = parseStore(text, name, where);
    } catch {
      continue; // malformed: verify and doctor report it; nothing here is safe to rewrite
    }
    const stale = lines.filter((l) => l.epoch !== current);
    if (stale.length === 0) continue;
    const envKeys = keys.top.env(scope.env);
    const kept = new Map(lines.filter((l) => l.epoch === current).map((l) => [l.tag, l]));
    const left: string[] = [];
    let moved = 0;
    let conflict: string | null = null;
    for (const line of stale) {
      const old = keys.forEpoch(line.epoch);
      if (line.epoch > current || !old) {
        left.push(`a line at epoch ${line.epoch} has no key in the history`);
        kept.set(line.tag, line);
        continue;
      }
      let record: ReturnType<typeof decryptSecret>;
      try {
        record = decryptSecret(
          old.env(scope.env),
          { projectId: access.project_id, scope: name, epoch: line.epoch },
          line,
          where,
        );
      } catch {
        left.push(`a line at epoch ${line.epoch} fails to decrypt`);
        kept.set(line.tag, line);
        continue;
      }
      const fresh = encryptSecret(
        envKeys,
        { projectId: access.project_id, scope: name, epoch: current },
        record,
      );
      const twin = kept.get(fresh.tag);
      if (twin) {
        // The same secret at both epochs (set on both sides of the rotation): equal values are one
        // secret; different values are a choice doctor does not make.
        const other = decryptSecret(
          envKeys,
          { projectId: access.project_id, scope: name, epoch: current },
          twin,
          where,
        );
        if (other.value !== record.value) {
          conflict = record.name;
          break;
        }
        moved++;
        continue;
      }
      kept.set(fresh.tag, fresh);
      moved++;
    }
    if (conflict !== null) {
      steps.push({
        name: 'stores',
        detail: `${where}: ${conflict} has two different values, one from before a key rotation; not changed (set the right value with \`git kagi set\` after restoring the file from one side)`,
        done: false,
      });
      continue;
    }
    const sorted = [...kept.values()].sort(compareTags);
    await writeFileAtomic(storePath(project, scope), formatStore(name, sorted));
    steps.push({
      name: 'stores',
      detail: `re-encrypted ${moved} line(s) of ${name} to key epoch ${current}`,
      done: true,
      paths: [where],
    });
    for (const why of left) steps.push({ name: 'stores', detail: `${where}: ${why}`, done: false });
  }
}

/**
 * After a merge (the post-merge hook): a store that only one side added arrives without any merge
 * driver running, so a branch made before a rotation can bring lines at the old epoch. They are
 * re-encrypted here when the key is at hand; otherwise the user is told how to repair them.
 */
/** After a merge that brought `stale` lines from before a rotation (countStaleLines). */
export async function repairStaleLinesAfterMerge(
  rt: Runtime,
  project: Project,
  stale: number,
): Promise<string[]> {
  const advice = `git-kagi: ${stale} secret line(s) arrived at an older key epoch; run \`git kagi doctor --fix\` on a member's device, then commit .kagi/`;
  let unlocked: Unlocked;
  try {
    unlocked = await unlockProject(rt, project);
    assertWritable(unlocked);
  } catch (error) {
    if (error instanceof KagiError) return [advice];
    throw error;
  }
  const steps: RepairStep[] = [];
  await withLock(project.repo.gitDir, async () => {
    const fresh = await readProject(rt);
    if (fresh.access.key_id !== unlocked.keys.keyId) return;
    await reencryptStaleStores(fresh, withHistory(fresh.access, unlocked.keys), steps);
  });
  const done = steps.filter((s) => s.done);
  if (done.length === 0) return [advice];
  return [
    ...done.map((s) => `git-kagi: ${s.detail}`),
    'git-kagi: the merge brought secrets from before a key rotation; they are re-encrypted: commit .kagi/',
  ];
}
