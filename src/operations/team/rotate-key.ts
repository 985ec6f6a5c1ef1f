// `git kagi rotate` and the rotation of `member remove`: who may rotate, then the engine
// (project/rotation.ts).
import type { Runtime } from '../../runtime.js';
import { requireActiveMember } from '../project/members.js';
import type { Project } from '../project/read-project.js';
import { type RotationResult, rotateProjectKey } from '../project/rotation.js';
import { assertWritable, unlockProject } from '../project/unlock-project.js';

/** Rotates the key of the current project, optionally removing members. */
export async function rotateKey(
  rt: Runtime,
  project: Project,
  remove: readonly string[] = [],
): Promise<RotationResult> {
  const unlocked = await unlockProject(rt, project);
  assertWritable(unlocked);
  // A project key is not a member: it could rotate away every wrap without being one (DESIGN §4).
  requireActiveMember(project, unlocked);
  return rotateProjectKey(rt, project, unlocked, remove);
}
