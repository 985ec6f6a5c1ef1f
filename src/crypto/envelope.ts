// The payload envelope of DESIGN §2: nonce (24 bytes) ‖ XChaCha20-Poly1305 ciphertext ‖ tag (16).
// Opening fails as one integrity error and never returns partial plaintext.
// XChaCha20-Poly1305 is HChaCha20 (from @noble/ciphers) to derive a subkey from the first 16 nonce
// bytes, then the IETF ChaCha20-Poly1305 of OpenSSL with 4 zero bytes ‖ the last 8: a listing
// opens hundreds of lines, and the native AEAD is several times faster there. The Wycheproof and
// draft vectors check the composition (test/vectors).

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import { integrityError } from '../errors.js';

export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
const KEY_BYTES = 32;

// "expand 32-byte k"
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

/** Native-endian words of a copy (hchacha works on words, as noble's own xchacha does). */
function toWords(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(new Uint8Array(bytes).buffer);
}

function deriveSubkey(key: Uint8Array, nonce: Uint8Array): { subkey: Buffer; iv: Buffer } {
  if (key.length !== KEY_BYTES) throw new RangeError('key must be 32 bytes');
  const out = new Uint32Array(8);
  hchacha(SIGMA, toWords(key), toWords(nonce.subarray(0, 16)), out);
  const iv = Buffer.alloc(12);
  iv.set(nonce.subarray(16, 24), 4);
  return { subkey: Buffer.from(out.buffer), iv };
}

export function sealPayload(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array = new Uint8Array(randomBytes(NONCE_BYTES)),
): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 24 bytes');
  const { subkey, iv } = deriveSubkey(key, nonce);
  return concatBytes(nonce, sealIetf(subkey, iv, plaintext, aad));
}

export function openPayload(key: Uint8Array, payload: Uint8Array, aad: Uint8Array): Uint8Array {
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw integrityError('payload is truncated');
  try {
    const { subkey, iv } = deriveSubkey(key, payload.subarray(0, NONCE_BYTES));
    return openIetf(subkey, iv, payload.subarray(NONCE_BYTES), aad);
  } catch (cause) {
    throw integrityError('payload failed to decrypt', undefined, cause);
  }
}

export const IETF_NONCE_BYTES = 12;

/**
 * nonce (12 random bytes) ‖ ChaCha20-Poly1305 ciphertext ‖ tag, for data that never leaves the
 * device (the scope cache): no HChaCha20 step, and a random 96-bit nonce is safe for the few
 * thousand files one key seals there.
 */
export function sealLocal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(randomBytes(IETF_NONCE_BYTES));
  return concatBytes(nonce, sealIetf(key, nonce, plaintext, aad));
}

export function openLocal(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  if (sealed.length < IETF_NONCE_BYTES + TAG_BYTES) throw integrityError('payload is truncated');
  try {
    return openIetf(
      key,
      sealed.subarray(0, IETF_NONCE_BYTES),
      sealed.subarray(IETF_NONCE_BYTES),
      aad,
    );
  } catch (cause) {
    throw integrityError('payload failed to decrypt', undefined, cause);
  }
}

/** ciphertext ‖ tag under OpenSSL's IETF ChaCha20-Poly1305. */
function sealIetf(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Throws on any mismatch; update()'s output is only returned after final() checked the tag. */
function openIetf(
  key: Uint8Array,
  iv: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (sealed.length < TAG_BYTES) throw new RangeError('sealed data is truncated');
  const body = sealed.subarray(0, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('chacha20-poly1305', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad, { plaintextLength: body.length });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const opened = decipher.update(body);
  const rest = decipher.final();
  return rest.length === 0 ? opened : Buffer.concat([opened, rest]);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
