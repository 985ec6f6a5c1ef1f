// `git kagi doctor --fix`: repairs what can be repaired without judgement. File modes in
// $KAGI_HOME, drivers/attributes/hooks, an interrupted rotation, store lines left at an older
// epoch, and members approved before a rotation. Never re-wraps an entry no key holder sealed.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatAccess } from '../../core/access.js';
import type { ProjectKeys } from '../../crypto/keys.js';
import { KagiError } from '../../errors.js';
import { readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { findRepository } from '../../io/git.js';
import { journalPath } from '../../io/journal.js';
import { resolveKagiHome } from '../../io/kagi-home.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { findStaleEntries, sealMember } from '../project/members.js';
import { withHistory } from '../project/merge-keys.js';
import { openProject } from '../project/open-project.js';
import { countStaleLines, type Project } from '../project/read-project.js';
import { installGitSetup, writeSetupMarker } from '../project/setup-git.js';
import { type RepairStep, reencryptStaleStores } from '../project/stale-lines.js';
import {
  assertWritable,
  readProjectUnderLock,
  type Unlocked,
  unlockProject,
} from '../project/unlock-project.js';
import { displayPath, findLooseModes } from './check-device.js';

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
  let changed = false;
  for (const { member: m, stale } of await findStaleEntries(project, top)) {
    if (stale.kind === 'forged') {
      steps.push({
        name: 'members',
        detail: `${m.id} (${m.name}): nobody holding the key sealed this entry; not re-wrapped (remove it with \`git kagi member remove ${m.id}\`)`,
        done: false,
      });
    } else if (stale.kind === 'removed-since') {
      steps.push({
        name: 'members',
        detail: `${m.id} (${m.name}) was removed after its approval at epoch ${stale.epoch}; its old entry is not re-wrapped (remove it with \`git kagi member remove ${m.id}\`)`,
        done: false,
      });
    } else {
      await sealMember(m, top, access.project_id, access.epoch);
      changed = true;
      steps.push({
        name: 'members',
        detail: `re-wrapped ${m.id} (${m.name}), ${m.status === 'active' ? 'approved' : 'removed'} at key epoch ${stale.epoch}, to epoch ${access.epoch}`,
        done: true,
        paths: ['.kagi/access.json'],
      });
    }
  }
  if (changed)
    await writeFileAtomic(path.join(project.kagiDir, 'access.json'), formatAccess(access));
}
