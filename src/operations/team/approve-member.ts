// `git kagi member approve`: an active member wraps the root key to a pending member alone and
// seals the entry (DESIGN §4). The caller shows name and fingerprint before apply().
import path from 'node:path';
import { formatAccess, type Member } from '../../core/access.js';
import { formatFingerprint } from '../../crypto/fingerprint.js';
import { KagiError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { requireActiveMember, sealMember } from '../project/members.js';
import { openProject } from '../project/open-project.js';
import { findMember } from '../project/read-project.js';
import { assertWritable, readProjectUnderLock, unlockProject } from '../project/unlock-project.js';

export interface PlannedApproval {
  member: Member;
  fingerprint: string;
  apply(): Promise<Member>;
}

export async function planApproval(rt: Runtime, id: string): Promise<PlannedApproval> {
  const project = await openProject(rt);
  const unlocked = await unlockProject(rt, project);
  assertWritable(unlocked);
  const approver = requireActiveMember(project, unlocked);
  const member = findMember(project, id);
  if (member.status !== 'pending') {
    throw new KagiError('not-pending', `member ${member.id} is ${member.status}, not pending`, {
      hint:
        member.status === 'removed'
          ? 'a removed member joins again with `git kagi join` from their device'
          : 'nothing to do',
    });
  }
  return {
    member,
    fingerprint: formatFingerprint(member.recipient),
    apply: () =>
      withLock(project.repo.gitDir, async () => {
        const fresh = await readProjectUnderLock(rt, unlocked);
        const entry = fresh.access.members.find((m) => m.id === member.id);
        if (entry?.status !== 'pending' || entry.recipient !== member.recipient) {
          throw new KagiError('member-changed', `member ${member.id} changed meanwhile`, {
            hint: 'run the command again',
          });
        }
        entry.status = 'active';
        entry.approved_by = approver.id;
        entry.approved_at = rt.now().toISOString();
        await sealMember(entry, unlocked.keys, fresh.access.project_id, fresh.access.epoch);
        await writeFileAtomic(path.join(fresh.kagiDir, 'access.json'), formatAccess(fresh.access));
        return entry;
      }),
  };
}
