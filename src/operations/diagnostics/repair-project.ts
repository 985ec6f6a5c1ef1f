// `git kagi doctor --fix`: repairs what can be repaired without judgement. File modes in
// $KAGI_HOME, drivers/attributes/hooks, an interrupted rotation, store lines left at an older
// epoch, and members approved before a rotation. Never re-wraps an entry no key holder sealed.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatAccess, type Member } from '../../core/access.js';
import { formatScope, formatScopePath } from '../../core/scope.js';
import { formatStore, parseStore, type StoreLine } from '../../core/store.js';
import { formatRootKey, type ProjectKeys } from '../../crypto/keys.js';
import { computeSeal, verifySeal } from '../../crypto/seal.js';
import { decryptSecret, encryptSecret } from '../../crypto/secret-line.js';
import { KagiError } from '../../errors.js';
import { readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { findRepository } from '../../io/git.js';
import { journalPath } from '../../io/journal.js';
import { resolveKagiHome } from '../../io/kagi-home.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import {
  displayPath,
  findLooseModes,
  findRemovedMembers,
  findSealEpoch,
  wasRemoved,
} from './diagnose-project.js';
import { type MergeKeys, withHistory } from '../project/merge-keys.js';
import {
  countStaleLines,
  listScopes,
  openProject,
  type Project,
  readProject,
  storePath,
} from '../project/read-project.js';
import { installGitSetup, writeSetupMarker } from '../project/setup-git.js';
import {
  assertWritable,
  readProjectUnderLock,
  type Unlocked,
  unlockProject,
} from '../project/unlock-project.js';

export interface RepairStep {
  name: string;
  /** What was changed, or why something was left as it is. */
  detail: string;
  done: boolean;
  /** Repository files this step changed, to be committed. */
  paths?: string[];
}

export async function repairProject(rt: Runtime): Promise<RepairStep[]> {
  const steps: RepairStep[] = [];
  await repairModes(rt, steps);
  const repo = await findRepository(rt.cwd).catch(() => null);
  if (!repo) return steps;
  const hasProject = (await readTextOrNull(path.join(repo.root, '.kagi', 'kagi.json'))) !== null;
  if (!hasProject) return steps;

  const setup = await installGitSetup(repo);
  await writeSetupMarker(repo, 'installed');
  if (setup.changed.length > 0) {
    steps.push({
      name: 'drivers',
      detail: `installed ${setup.changed.join(', ')}`,
      done: true,
      paths: setup.changed.filter((c) => c === '.gitattributes' || c.startsWith('.husky/')),
    });
  }
  if (setup.snippet) {
    steps.push({
      name: 'hooks',
      detail: `${setup.manager} manages the hooks: add the lines \`git kagi hooks install\` prints to its configuration`,
      done: false,
    });
  }

  const journal = journalPath(repo.gitDir);
  const pending = (await readTextOrNull(journal)) !== null;
  let project: Project;
  try {
    // openProject finishes an interrupted rotation before anything else (DESIGN §4).
    project = await openProject(rt);
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    steps.push({ name: pending ? 'rotation' : 'project', detail: error.message, done: false });
    return steps;
  }
  if (pending) {
    const left = (await readTextOrNull(journal)) !== null;
    steps.push({
      name: 'rotation',
      detail: left
        ? 'the interrupted key rotation does not match this checkout and stays pending'
        : `finished the interrupted key rotation (now at epoch ${project.access.epoch})`,
      done: !left,
      paths: left ? [] : ['.kagi/'],
    });
  }

  const staleLines = await countStaleLines(project);
  let unlocked: Unlocked;
  try {
    unlocked = await unlockProject(rt, project);
    assertWritable(unlocked);
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    if (staleLines > 0) {
      steps.push({
        name: 'stores',
        detail: `${staleLines} line(s) at an older key epoch were not re-encrypted: ${error.message}`,
        done: false,
      });
    }
    steps.push({
      name: 'members',
      detail: `entries approved before a rotation were not checked: ${error.message}`,
      done: false,
    });
    return steps;
  }
  await withLock(project.repo.gitDir, async () => {
    const fresh = await readProjectUnderLock(rt, unlocked);
    const keys = withHistory(fresh.access, unlocked.keys);
    await reencryptStaleStores(fresh, keys, steps);
    await rewrapStaleMembers(fresh, unlocked.keys, steps);
  });
  return steps;
}

async function repairModes(rt: Runtime, steps: RepairStep[]): Promise<void> {
  for (const loose of await findLooseModes(resolveKagiHome(rt.env))) {
    try {
      await fs.chmod(loose.file, loose.want);
      steps.push({
        name: 'home',
        detail: `set the mode of ${displayPath(rt, loose.file)} to 0${loose.want.toString(8)}`,
        done: true,
      });
    } catch {
      steps.push({
        name: 'home',
        detail: `could not change the mode of ${displayPath(rt, loose.file)}`,
        done: false,
      });
    }
  }
}

/**
 * Lines a text merge brought in from a branch made before a rotation: decrypted with their own
 * epoch's key (from the history) and re-encrypted to the current one with the record unchanged
 * (name, value, updated_at, updated_by). Lines that do not decrypt are left for verify to report.
 */
async function reencryptStaleStores(
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
    const sorted = [...kept.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
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
 * Entries whose seal verifies under an older epoch were approved (or removed) by a key holder on a
 * branch made before a rotation: they are re-wrapped to the current key and re-sealed. Entries
 * sealed under no epoch, and old active entries of members removed since, are left alone.
 */
async function rewrapStaleMembers(
  project: Project,
  top: ProjectKeys,
  steps: RepairStep[],
): Promise<void> {
  const { access } = project;
  let removed: Set<string> | null = null;
  let changed = false;
  for (const m of access.members) {
    if (m.status === 'pending' || verifySeal(top.seal, access.project_id, access.epoch, m))
      continue;
    const epoch = findSealEpoch(project, top, m);
    if (epoch === null) {
      steps.push({
        name: 'members',
        detail: `${m.id} (${m.name}): nobody holding the key sealed this entry; not re-wrapped (remove it with \`git kagi member remove ${m.id}\`)`,
        done: false,
      });
      continue;
    }
    if (m.status === 'active') {
      removed ??= await findRemovedMembers(project.repo);
      if (wasRemoved(removed, m)) {
        steps.push({
          name: 'members',
          detail: `${m.id} (${m.name}) was removed after its approval at epoch ${epoch}; its old entry is not re-wrapped (remove it with \`git kagi member remove ${m.id}\`)`,
          done: false,
        });
        continue;
      }
    }
    await rewrapMember(m, top, access.project_id, access.epoch);
    changed = true;
    steps.push({
      name: 'members',
      detail: `re-wrapped ${m.id} (${m.name}), ${m.status === 'active' ? 'approved' : 'removed'} at key epoch ${epoch}, to epoch ${access.epoch}`,
      done: true,
      paths: ['.kagi/access.json'],
    });
  }
  if (changed)
    await writeFileAtomic(path.join(project.kagiDir, 'access.json'), formatAccess(access));
}

async function rewrapMember(
  member: Member,
  top: ProjectKeys,
  projectId: string,
  epoch: number,
): Promise<void> {
  if (member.status === 'active') {
    const { wrapKey } = await import('../../crypto/age.js');
    member.wrapped_key = await wrapKey(
      new TextEncoder().encode(formatRootKey(top.root)),
      member.recipient,
    );
  } else {
    delete member.wrapped_key;
  }
  member.seal = computeSeal(top.seal, projectId, epoch, member);
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
