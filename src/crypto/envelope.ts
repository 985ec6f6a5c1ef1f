// The payload envelope of DESIGN §2: nonce (24 bytes) ‖ XChaCha20-Poly1305 ciphertext ‖ tag (16).
// Opening fails as one integrity error and never returns partial plaintext.

import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { integrityError } from '../errors.js';

export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;

export function sealPayload(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array = new Uint8Array(randomBytes(NONCE_BYTES)),
): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 24 bytes');
  const sealed = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(nonce, 0);
  out.set(sealed, NONCE_BYTES);
  return out;
}

export function openPayload(key: Uint8Array, payload: Uint8Array, aad: Uint8Array): Uint8Array {
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw integrityError('payload is truncated');
  try {
    return xchacha20poly1305(key, payload.subarray(0, NONCE_BYTES), aad).decrypt(
      payload.subarray(NONCE_BYTES),
    );
  } catch (cause) {
    throw integrityError('payload failed to decrypt', undefined, cause);
  }
}
