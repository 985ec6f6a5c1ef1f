// Every Wycheproof XChaCha20-Poly1305 case, and the draft-irtf-cfrg-xchacha-03 A.3.1 vector, run
// through OUR envelope (src/crypto/envelope.ts: payload = nonce ‖ ciphertext ‖ tag, AAD injected).
//
// Sources (copied into test/vectors/data/; see each folder's README.md and LICENSE):
// - wycheproof-xchacha20-poly1305/xchacha20_poly1305_test.json: https://github.com/C2SP/wycheproof
//   commit dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166 (testvectors_v1/), Apache-2.0, 315 cases.
// - xchacha-draft/xchacha_draft_irtf_cfrg_03.json: draft-irtf-cfrg-xchacha-03 transcribed from
//   https://github.com/bikeshedders/xchacha-rfc commit 9c1dfb870155223360ef7c4818fdbbd41daaaf1c,
//   CC0-1.0.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NONCE_BYTES, openPayload, sealPayload } from '../../src/crypto/envelope.js';
import { EXIT, KagiError } from '../../src/errors.js';

interface AeadCase {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

interface AeadFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: Array<{ ivSize: number; keySize: number; tagSize: number; tests: AeadCase[] }>;
}

interface DraftFile {
  aead_xchacha20_poly1305: Array<{
    section: string;
    key: string;
    nonce: string;
    aad: string;
    plaintext: string;
    ciphertext: string;
    tag: string;
  }>;
}

const VECTORS = new URL('./data/', import.meta.url);
const wycheproof = JSON.parse(
  readFileSync(
    new URL('wycheproof-xchacha20-poly1305/xchacha20_poly1305_test.json', VECTORS),
    'utf8',
  ),
) as AeadFile;
const draft = JSON.parse(
  readFileSync(new URL('xchacha-draft/xchacha_draft_irtf_cfrg_03.json', VECTORS), 'utf8'),
) as DraftFile;

const cases = wycheproof.testGroups.flatMap((g) =>
  g.tests.map((t) => ({ ...t, ivSize: g.ivSize })),
);

function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Opens expecting failure; returns the error so callers can check it is our integrity error. */
function openError(key: Uint8Array, payload: Uint8Array, aad: Uint8Array): unknown {
  let returned: Uint8Array | undefined;
  try {
    returned = openPayload(key, payload, aad);
  } catch (error) {
    return error;
  }
  throw new Error(`openPayload returned ${returned.length} bytes instead of throwing`);
}

function expectIntegrityError(error: unknown): void {
  expect(error).toBeInstanceOf(KagiError);
  expect((error as KagiError).code).toBe('integrity');
  expect((error as KagiError).exitCode).toBe(EXIT.integrity);
}

describe('Wycheproof XChaCha20-Poly1305 through sealPayload/openPayload', () => {
  it('has all 315 cases, 246 valid and 69 invalid', () => {
    expect(wycheproof.algorithm).toBe('XCHACHA20-POLY1305');
    expect(cases).toHaveLength(wycheproof.numberOfTests);
    expect(cases).toHaveLength(315);
    expect(cases.filter((c) => c.result === 'valid')).toHaveLength(246);
    expect(cases.filter((c) => c.result === 'invalid')).toHaveLength(69);
  });

  const valid = cases.filter((c) => c.result === 'valid');
  it.each(valid.map((c) => [c.tcId, c.flags.join(','), c] as const))(
    'tcId %i (valid; %s): seal gives iv‖ct‖tag and open returns msg',
    (_id, _flags, c) => {
      expect(c.ivSize).toBe(NONCE_BYTES * 8);
      const key = hex(c.key);
      const aad = hex(c.aad);
      const expected = concat(hex(c.iv), hex(c.ct), hex(c.tag));
      const sealed = sealPayload(key, hex(c.msg), aad, hex(c.iv));
      expect(Buffer.from(sealed).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
      expect(Buffer.from(openPayload(key, expected, aad)).toString('hex')).toBe(c.msg);
    },
  );

  const invalid = cases.filter((c) => c.result !== 'valid');
  it.each(invalid.map((c) => [c.tcId, c.ivSize, c.flags.join(','), c] as const))(
    'tcId %i (invalid, %i-bit nonce; %s): open throws the integrity error',
    (_id, _ivSize, _flags, c) => {
      expect(c.result).toBe('invalid');
      const key = hex(c.key);
      const aad = hex(c.aad);
      const payload = concat(hex(c.iv), hex(c.ct), hex(c.tag));
      expectIntegrityError(openError(key, payload, aad));
      if (c.ivSize === NONCE_BYTES * 8) {
        // Our own seal of the same message never produces the forged payload.
        const sealed = sealPayload(key, hex(c.msg), aad, hex(c.iv));
        expect(Buffer.from(sealed).equals(Buffer.from(payload))).toBe(false);
      } else {
        expect(() => sealPayload(key, hex(c.msg), aad, hex(c.iv))).toThrow(RangeError);
      }
    },
  );

  it('covers every invalid nonce size as a failed open', () => {
    const sizes = invalid.filter((c) => c.flags.includes('InvalidNonceSize')).map((c) => c.ivSize);
    expect(sizes.sort((a, b) => a - b)).toEqual([0, 64, 88, 96, 104, 112, 128, 160, 256]);
  });
});

describe('draft-irtf-cfrg-xchacha-03 A.3.1', () => {
  const vector = draft.aead_xchacha20_poly1305.find((v) => v.section === 'A.3.1');

  it('seals to nonce ‖ ciphertext ‖ tag and opens back to the plaintext', () => {
    expect(vector).toBeDefined();
    const v = vector as NonNullable<typeof vector>;
    const key = hex(v.key);
    const aad = hex(v.aad);
    const sealed = sealPayload(key, hex(v.plaintext), aad, hex(v.nonce));
    expect(Buffer.from(sealed).toString('hex')).toBe(v.nonce + v.ciphertext + v.tag);
    expect(Buffer.from(openPayload(key, sealed, aad)).toString('hex')).toBe(v.plaintext);
  });

  it('fails as the integrity error with another AAD, a flipped bit or a cut tag', () => {
    const v = vector as NonNullable<typeof vector>;
    const key = hex(v.key);
    const aad = hex(v.aad);
    const payload = hex(v.nonce + v.ciphertext + v.tag);
    expectIntegrityError(openError(key, payload, hex(`${v.aad}00`)));
    for (const at of [0, NONCE_BYTES, payload.length - 1]) {
      const flipped = payload.slice();
      flipped[at] = (flipped[at] as number) ^ 0x01;
      expectIntegrityError(openError(key, flipped, aad));
    }
    expectIntegrityError(openError(key, payload.subarray(0, payload.length - 1), aad));
    expectIntegrityError(openError(key, payload.subarray(0, NONCE_BYTES + 15), aad));
  });
});
