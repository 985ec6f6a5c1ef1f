import path from 'node:path';
import { formatAccess, isMemberName, type Member } from '../../core/access.js';
import { generateIdentity, identityToRecipient } from '../../crypto/age.js';
import { formatFingerprint } from '../../crypto/fingerprint.js';
import { newId } from '../../crypto/keys.js';
import { KagiError, usageError } from '../../errors.js';
import { pathExists, writeFileAtomic } from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { requireActiveMember, sealMember } from '../project/members.js';
import { openProject } from '../project/open-project.js';
import { assertWritable, readProjectUnderLock, unlockProject } from '../project/unlock-project.js';

export interface MachineResult {
  member: Member;
  fingerprint: string;
  /** The age identity file text; the caller writes it once, where the user said. */
  identityText: string;
}

/** Refuses an output file that exists before anything is created. */
export async function assertNewFile(file: string): Promise<void> {
  const exists = pathExists(file);
  if (exists)
    throw new KagiError('file-exists', `${file} already exists`, {
      hint: 'name a new file; identities are never overwritten',
    });
}

export async function addMachine(
  rt: Runtime,
  name: string,
  outFile: string | null,
): Promise<MachineResult> {
  if (!isMemberName(name)) throw usageError('a machine name is 1-64 printable characters');
  const project = await openProject(rt);
  const unlocked = await unlockProject(rt, project);
  assertWritable(unlocked);
  const approver = requireActiveMember(project, unlocked);
  if (outFile) await assertNewFile(outFile);
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const now = rt.now().toISOString();
  const identityText = `# git-kagi machine identity "${name}" for project ${project.access.project_id}\n# created: ${now}\n# public key: ${recipient}\n${identity}\n`;
  // The identity is written before it is registered: a member nobody can act as is harmless,
  // an identity that was registered but never written would be lost.
  if (outFile) await writeFileAtomic(path.resolve(rt.cwd, outFile), identityText, 0o600);
  const member = await withLock(project.repo.gitDir, async () => {
    const fresh = await readProjectUnderLock(rt, unlocked);
    const entry: Member = await sealMember(
      {
        id: newId('kgm_'),
        name,
        recipient,
        status: 'active',
        requested_at: now,
        approved_by: approver.id,
        approved_at: now,
      },
      unlocked.keys,
      fresh.access.project_id,
      fresh.access.epoch,
    );
    fresh.access.members.push(entry);
    await writeFileAtomic(path.join(fresh.kagiDir, 'access.json'), formatAccess(fresh.access));
    return entry;
  });
  return { member, fingerprint: formatFingerprint(recipient), identityText };
}
