// The key history chain (DESIGN §2–3): each earlier root key sealed under the current history key,
// and a proof that whoever made epoch e+1 held epoch e's key. Pinning walks this chain.
import type { AccessFile, HistoryEntry } from '../core/access.js';
import { encodeLengthPrefixed } from '../core/length-prefixed.js';
import { integrityError } from '../errors.js';
import { openPayload, sealPayload } from './envelope.js';
import {
  computeHmac,
  computeKeyId,
  deriveProjectKeys,
  equalBytes,
  type ProjectKeys,
} from './keys.js';
import { FORMAT } from './secret-line.js';

function historyAad(projectId: string, epoch: number, keyId: string): Uint8Array {
  return encodeLengthPrefixed([FORMAT, projectId, 'history', String(epoch), keyId]);
}

export function computeProof(oldKeys: ProjectKeys, newEpoch: number, newKeyId: string): string {
  return Buffer.from(
    computeHmac(oldKeys.proof, encodeLengthPrefixed([String(newEpoch), newKeyId])),
  ).toString('base64url');
}

export function sealHistoryKey(
  current: ProjectKeys,
  projectId: string,
  epoch: number,
  oldRoot: Uint8Array,
): string {
  const sealed = sealPayload(
    current.history,
    oldRoot,
    historyAad(projectId, epoch, computeKeyId(oldRoot)),
  );
  return Buffer.from(sealed).toString('base64url');
}

export function openHistoryKey(
  current: ProjectKeys,
  projectId: string,
  entry: HistoryEntry,
): Uint8Array {
  const root = openPayload(
    current.history,
    new Uint8Array(Buffer.from(entry.sealed_key, 'base64url')),
    historyAad(projectId, entry.epoch, entry.key_id),
  );
  if (computeKeyId(root) !== entry.key_id)
    throw integrityError(`history entry for epoch ${entry.epoch} is inconsistent`);
  return root;
}

/**
 * Checks that the current key descends from the key pinned at `pinEpoch`/`pinKeyId`: every step
 * from there to now has a history entry whose proof verifies under the older key.
 */
export function verifyKeyChain(
  access: AccessFile,
  current: ProjectKeys,
  pinEpoch: number,
  pinKeyId: string,
): boolean {
  try {
    let newer = { epoch: access.epoch, keyId: current.keyId };
    for (let epoch = access.epoch - 1; epoch >= pinEpoch; epoch--) {
      const entry = access.history.find((h) => h.epoch === epoch);
      if (!entry) return false;
      const oldKeys = deriveProjectKeys(openHistoryKey(current, access.project_id, entry));
      const expected = Buffer.from(computeProof(oldKeys, newer.epoch, newer.keyId), 'base64url');
      if (!equalBytes(expected, Buffer.from(entry.proof, 'base64url'))) return false;
      if (epoch === pinEpoch) return oldKeys.keyId === pinKeyId;
      newer = { epoch, keyId: oldKeys.keyId };
    }
    return false;
  } catch {
    return false;
  }
}
