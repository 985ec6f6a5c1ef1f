// Member seals (DESIGN §2): HMAC under the seal key over (project id, epoch, id, name, recipient,
// status). Only a holder of the root key can make one; a forged "active" entry fails here.
import type { Member } from '../core/access.js';
import { encodeLengthPrefixed } from '../core/length-prefixed.js';
import { computeHmac, equalBytes } from './keys.js';

export function computeSeal(
  sealKey: Uint8Array,
  projectId: string,
  epoch: number,
  member: Member,
): string {
  const data = encodeLengthPrefixed([
    projectId,
    String(epoch),
    member.id,
    member.name,
    member.recipient,
    member.status,
  ]);
  return Buffer.from(computeHmac(sealKey, data)).toString('base64url');
}

export function verifySeal(
  sealKey: Uint8Array,
  projectId: string,
  epoch: number,
  member: Member,
): boolean {
  if (!member.seal) return false;
  const expected = Buffer.from(computeSeal(sealKey, projectId, epoch, member), 'base64url');
  return equalBytes(expected, Buffer.from(member.seal, 'base64url'));
}
