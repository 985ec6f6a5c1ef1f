// `git kagi join`: this device asks for access. It needs no key: the device identity is created if
// missing and a pending entry (no seal, no wrapped key) is added to access.json (DESIGN §4).
import path from 'node:path';
import { formatAccess, isMemberName, type Member } from '../../core/access.js';
import { formatFingerprint } from '../../crypto/fingerprint.js';
import { newId } from '../../crypto/keys.js';
import { usageError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { readGitConfig } from '../../io/git.js';
import { resolveKagiHome } from '../../io/kagi-home.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { ensureDeviceIdentity } from '../project/device-identity.js';
import { openProject } from '../project/open-project.js';
import { findMemberByRecipient, readProject } from '../project/read-project.js';

export interface JoinResult {
  member: Member;
  fingerprint: string;
  /** False when this device was already in access.json. */
  added: boolean;
  createdIdentity: boolean;
}

export async function joinProject(rt: Runtime, name: string | undefined): Promise<JoinResult> {
  const project = await openProject(rt);
  const chosen = name ?? (await readGitConfig('user.name', project.repo.root)) ?? rt.env.USER;
  if (!chosen || !isMemberName(chosen)) {
    throw usageError('a member name is 1-64 printable characters', 'pass one with --name <you>');
  }
  const device = await ensureDeviceIdentity(resolveKagiHome(rt.env), rt.now());
  return withLock(project.repo.gitDir, async () => {
    const fresh = await readProject(rt);
    const existing = findMemberByRecipient(fresh.access, device.recipient);
    const fingerprint = formatFingerprint(device.recipient);
    if (existing)
      return { member: existing, fingerprint, added: false, createdIdentity: device.created };
    const member: Member = {
      id: newId('kgm_'),
      name: chosen,
      recipient: device.recipient,
      status: 'pending',
      requested_at: rt.now().toISOString(),
    };
    fresh.access.members.push(member);
    await writeFileAtomic(path.join(fresh.kagiDir, 'access.json'), formatAccess(fresh.access));
    return { member, fingerprint, added: true, createdIdentity: device.created };
  });
}
