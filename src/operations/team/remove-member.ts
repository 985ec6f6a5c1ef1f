// `git kagi member remove`: marks the member removed and rotates the key, so nothing written after
// the removal is readable with what they held. The secret names they could read are returned, since
// those values should also be changed at their source (DESIGN §4).
import { formatScope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { requireActiveMember } from '../project/members.js';
import { openProject } from '../project/open-project.js';
import { findMember, listScopes } from '../project/read-project.js';
import type { RotationResult } from '../project/rotation.js';
import { decryptScope } from '../project/stores.js';
import { assertWritable, unlockProject } from '../project/unlock-project.js';
import { rotateKey } from './rotate-key.js';

export interface PlannedRemoval {
  member: { id: string; name: string; status: string };
  /** `scope: NAME` for every secret the member could read. */
  exposed: string[];
  apply(): Promise<RotationResult>;
}

export async function planRemoval(rt: Runtime, id: string): Promise<PlannedRemoval> {
  const project = await openProject(rt);
  const unlocked = await unlockProject(rt, project);
  assertWritable(unlocked);
  requireActiveMember(project, unlocked);
  const member = findMember(project, id);
  if (member.status === 'removed')
    throw new KagiError('already-removed', `member ${member.id} is already removed`);
  const othersActive = project.access.members.filter(
    (m) => m.status === 'active' && m.id !== member.id,
  );
  if (othersActive.length === 0) {
    throw new KagiError(
      'last-member',
      `${member.id} is the last active member and cannot be removed`,
      {
        hint: 'approve or add another member first',
      },
    );
  }
  const exposed: string[] = [];
  if (member.status === 'active') {
    for (const scope of listScopes(project)) {
      for (const record of await decryptScope(project, unlocked, scope))
        exposed.push(`${formatScope(scope)}: ${record.name}`);
    }
  }
  return {
    member: { id: member.id, name: member.name, status: member.status },
    exposed,
    apply: () => rotateKey(rt, project, [member.id]),
  };
}
