// `git kagi member list`: every entry of access.json with its fingerprint, who approved it, and
// whether its seal verifies (only checkable with the key; otherwise reported as unchecked).
import type { MemberStatus } from '../../core/access.js';
import { formatMemberName } from '../../core/access.js';
import { formatFingerprint } from '../../crypto/fingerprint.js';
import { verifySeal } from '../../crypto/seal.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import { unlockProject } from '../project/unlock-project.js';

export interface MemberRow {
  id: string;
  name: string;
  status: MemberStatus;
  fingerprint: string;
  recipient: string;
  requested_at: string;
  approved_by: string | null;
  approved_at: string | null;
  /** true/false when the key is at hand; null when it could not be checked. */
  seal_ok: boolean | null;
}

export async function listMembers(
  rt: Runtime,
): Promise<{ rows: MemberRow[]; checked: boolean; epoch: number }> {
  const project = await openProject(rt);
  const { access } = project;
  let sealKey: Uint8Array | null = null;
  try {
    sealKey = (await unlockProject(rt, project)).keys.seal;
  } catch (error) {
    if (!(error instanceof KagiError) || error.exitCode !== 3) throw error;
  }
  const nameOf = (id: string | undefined) =>
    id === undefined ? null : formatMemberName(access.members.find((m) => m.id === id)?.name ?? id);
  const rows = access.members.map((m) => ({
    id: m.id,
    name: formatMemberName(m.name),
    status: m.status,
    fingerprint: formatFingerprint(m.recipient),
    recipient: m.recipient,
    requested_at: m.requested_at,
    approved_by: nameOf(m.approved_by),
    approved_at: m.approved_at ?? null,
    seal_ok:
      m.status === 'pending'
        ? null
        : sealKey
          ? verifySeal(sealKey, access.project_id, access.epoch, m)
          : null,
  }));
  return { rows, checked: sealKey !== null, epoch: access.epoch };
}
