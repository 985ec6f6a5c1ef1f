// Opening a project for a command: read it, set up git in a fresh clone, and finish an
// interrupted key rotation first, so no command ever works on a half-rotated `.kagi/`.
import path from 'node:path';
import { pathExists } from '../../io/atomic-file.js';
import { journalPath } from '../../io/journal.js';
import type { Runtime } from '../../runtime.js';
import { type Project, readProject } from './read-project.js';

/** Opens the project of the current folder; the rotation journal is DESIGN §4.3. */
export async function openProject(rt: Runtime): Promise<Project> {
  const project = await readProject(rt);
  if (!pathExists(path.join(project.repo.commonDir, 'kagi', 'setup'))) {
    const { ensureGitSetup } = await import('./setup-git.js');
    await ensureGitSetup(project.repo, rt.notice);
  }
  if (!pathExists(journalPath(project.repo.gitDir))) return project;
  const { finishRotation } = await import('./rotation.js');
  await finishRotation(rt, project);
  return readProject(rt);
}
