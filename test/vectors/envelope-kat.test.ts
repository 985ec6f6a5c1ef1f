// Known answers for OUR formats (DESIGN §2–3): the key schedule, the tag, the associated data and
// one complete store line. A change to any of these makes every existing .kagi/ unreadable.
import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatStore, parseStore } from '../../src/core/store.js';
import { NONCE_BYTES, openPayload, TAG_BYTES } from '../../src/crypto/envelope.js';
import { deriveProjectKeys } from '../../src/crypto/keys.js';
import {
  computeTag,
  decryptSecret,
  encodeAssociatedData,
  encryptSecret,
  type LineContext,
  type SecretRecord,
} from '../../src/crypto/secret-line.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Root key 00 01 02 … 1f. */
const ROOT = Uint8Array.from({ length: 32 }, (_, i) => i);
const keys = deriveProjectKeys(ROOT);

const CTX: LineContext = { projectId: 'kgp_AAAAAAAAAAAA', scope: 'api/development', epoch: 1 };
const RECORD: SecretRecord = {
  name: 'DATABASE_URL',
  value: 'postgres://kat@db/app',
  updated_at: '2024-01-02T03:04:05.000Z',
  updated_by: 'kgm_AAAAAAAAAAAA',
};
/** Nonce 40 41 … 57. */
const NONCE = Uint8Array.from({ length: NONCE_BYTES }, (_, i) => 0x40 + i);

// The literals below pin the HKDF-SHA256 schedule of DESIGN §3: every key is
// HKDF(ikm = root, salt = "git-kagi/1", info = label) with the labels `key-id` (16 bytes, shown
// as kid_ + base64url), `seal`, `proof`, `history`; environment keys first derive an environment
// root with label `env:<name>`, then `enc` and `tag` from it (same salt). They were computed once
// from this code and cross-checked with an independent HKDF/HMAC (Python hashlib) before pinning.
const KEY_ID = 'kid_FXKCWemJnTa9ppdXrnXsRA';
const SEAL = '33431286819d901cc964ea2294daf0a2fd1dd0d099ed669274e986f1075da314';
const PROOF = '6cd6fdb775b40c677773cec4ae499b3d400cc012c1530d8ce7d870cc73e3de72';
const HISTORY = '37dcae2bc832eaa6fbf40ba0a43b93591467d0b7e78951d9cadab6f8e2b0c99a';
const DEV_ENC = '67a199aa0e27afee5eccd465a00024f4b40cf32036399f0b6861db79909eedcc';
const DEV_TAG = '9c6ed8e2c08b2f5e9d06491515eee234a06e0742737c9aa66c671035429de741';
const PROD_ENC = 'ba130b8e0ea3a8a7c413669cf29e974f51072213e839335e8322b4355b6e68b0';
const PROD_TAG = '0950cabe53c81a392c2d56e55833041e3713c11e942e3f1b6ea647ced2cc081f';
/** First 16 bytes of HMAC-SHA256(dev tag key, len‖"api/development"‖len‖"DATABASE_URL"), base64url. */
const TAG = 'C_ch2-BPpyXYAqGRW7cljA';
// The whole line for RECORD under CTX with NONCE, cross-checked when pinned against Python's
// `cryptography` ChaCha20Poly1305 behind a hand-written HChaCha20 (checked on draft §2.2.1).
const LINE =
  'C_ch2-BPpyXYAqGRW7cljA 1 QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXPVn6vurOGGmDf94OQtuIocjcy1-vOcUqjcdGTdSwN9_jt851CWmZVnVRJrb5Bz99Y-0ugQVXCq9vtx1S200eAR8XLv7iAJ8l6k22vRj8Wah7w4zy66KkbywPQed_kmCtr105qj7RL_eEAdiBuQCSr5IG0oCE-1HpEsxPL6fGWcKfvXiLcx87tulk23IaKUHJ';

function hkdf(ikm: Uint8Array, label: string, length = 32): string {
  return Buffer.from(hkdfSync('sha256', ikm, 'git-kagi/1', label, length)).toString('hex');
}

function lengthPrefixed(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const bytes = Buffer.from(p, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

describe('key schedule (DESIGN §3)', () => {
  it('derives the pinned key id and project keys from root 00..1f', () => {
    expect(keys.keyId).toBe(KEY_ID);
    expect(hex(keys.seal)).toBe(SEAL);
    expect(hex(keys.proof)).toBe(PROOF);
    expect(hex(keys.history)).toBe(HISTORY);
  });

  it('derives the pinned enc and tag keys per environment', () => {
    expect(hex(keys.env('development').enc)).toBe(DEV_ENC);
    expect(hex(keys.env('development').tag)).toBe(DEV_TAG);
    expect(hex(keys.env('production').enc)).toBe(PROD_ENC);
    expect(hex(keys.env('production').tag)).toBe(PROD_TAG);
  });

  it('is HKDF-SHA256 with salt git-kagi/1 and the labels of DESIGN §3', () => {
    expect(`kid_${Buffer.from(hkdf(ROOT, 'key-id', 16), 'hex').toString('base64url')}`).toBe(
      KEY_ID,
    );
    expect(hkdf(ROOT, 'seal')).toBe(SEAL);
    expect(hkdf(ROOT, 'proof')).toBe(PROOF);
    expect(hkdf(ROOT, 'history')).toBe(HISTORY);
    const envRoot = Buffer.from(hkdf(ROOT, 'env:development'), 'hex');
    expect(hkdf(envRoot, 'enc')).toBe(DEV_ENC);
    expect(hkdf(envRoot, 'tag')).toBe(DEV_TAG);
  });

  it('gives every key a different value, and another root other keys', () => {
    const all = [SEAL, PROOF, HISTORY, DEV_ENC, DEV_TAG, PROD_ENC, PROD_TAG];
    expect(new Set(all).size).toBe(all.length);
    const other = deriveProjectKeys(Uint8Array.from({ length: 32 }, (_, i) => 31 - i));
    expect(other.keyId).not.toBe(KEY_ID);
    expect(hex(other.env('development').enc)).not.toBe(DEV_ENC);
  });
});

describe('tag and associated data (DESIGN §2)', () => {
  it('computes the pinned tag: HMAC over length-prefixed scope and name, 16 bytes', () => {
    expect(computeTag(keys.env('development').tag, 'api/development', 'DATABASE_URL')).toBe(TAG);
    expect(Buffer.from(TAG, 'base64url')).toHaveLength(16);
  });

  it('gives another tag for another scope, name or environment key', () => {
    const devTag = keys.env('development').tag;
    expect(computeTag(devTag, 'development', 'DATABASE_URL')).not.toBe(TAG);
    expect(computeTag(devTag, 'api/development', 'DATABASE_URl')).not.toBe(TAG);
    expect(computeTag(keys.env('production').tag, 'api/development', 'DATABASE_URL')).not.toBe(TAG);
    // Length prefixes keep ("api/d", "X") and ("api/", "dX") apart.
    expect(computeTag(devTag, 'a', 'bC')).not.toBe(computeTag(devTag, 'ab', 'C'));
  });

  it('encodes the associated data as length-prefixed git-kagi/1, project, scope, epoch, tag', () => {
    const aad = Buffer.from(encodeAssociatedData(CTX, TAG));
    expect(aad.equals(lengthPrefixed('git-kagi/1', CTX.projectId, CTX.scope, '1', TAG))).toBe(true);
    expect(aad.toString('hex')).toBe(
      '0000000a6769742d6b6167692f31' + // 10, "git-kagi/1"
        '000000106b67705f414141414141414141414141' + // 16, project id
        '0000000f6170692f646576656c6f706d656e74' + // 15, "api/development"
        '0000000131' + // 1, "1"
        '00000016435f6368322d425070795859417147525737636c6a41', // 22, the tag
    );
  });

  it('writes the epoch in decimal', () => {
    const aad = Buffer.from(encodeAssociatedData({ ...CTX, epoch: 12 }, TAG));
    expect(aad.equals(lengthPrefixed('git-kagi/1', CTX.projectId, CTX.scope, '12', TAG))).toBe(
      true,
    );
  });
});

describe('a store line (DESIGN §2)', () => {
  const line = encryptSecret(keys.env('development'), CTX, RECORD, NONCE);

  it('is the pinned line for a fixed nonce', () => {
    expect(`${line.tag} ${line.epoch} ${line.payload}`).toBe(LINE);
  });

  it('carries nonce ‖ ciphertext ‖ Poly1305 tag, with the plaintext padded to 32 bytes', () => {
    const payload = new Uint8Array(Buffer.from(line.payload, 'base64url'));
    expect(hex(payload.subarray(0, NONCE_BYTES))).toBe(hex(NONCE));
    const plaintext = openPayload(
      keys.env('development').enc,
      payload,
      encodeAssociatedData(CTX, line.tag),
    );
    expect(payload.length).toBe(NONCE_BYTES + plaintext.length + TAG_BYTES);
    expect(plaintext.length % 32).toBe(0);
    const json =
      '{"name":"DATABASE_URL","updated_at":"2024-01-02T03:04:05.000Z",' +
      '"updated_by":"kgm_AAAAAAAAAAAA","value":"postgres://kat@db/app"}';
    expect(Buffer.from(plaintext.subarray(0, json.length)).toString('utf8')).toBe(json);
    expect(plaintext.subarray(json.length).every((b) => b === 0)).toBe(true);
    expect(plaintext.length).toBe(128);
  });

  it('pads every value length to a multiple of 32 and round-trips it', () => {
    const enc = keys.env('development').enc;
    const lengths = new Set<number>();
    for (let n = 0; n <= 80; n++) {
      const record = { ...RECORD, value: 'v'.repeat(n) };
      const l = encryptSecret(keys.env('development'), CTX, record);
      const payload = new Uint8Array(Buffer.from(l.payload, 'base64url'));
      const plaintext = openPayload(enc, payload, encodeAssociatedData(CTX, l.tag));
      expect(plaintext.length % 32).toBe(0);
      lengths.add(plaintext.length);
      expect(decryptSecret(keys.env('development'), CTX, l, 'kat')).toEqual(record);
    }
    // 81 value lengths fall into only a handful of padded sizes.
    expect([...lengths].sort((a, b) => a - b)).toEqual([128, 160, 192]);
  });

  it('round-trips through decryptSecret, and through a formatted store file', () => {
    expect(decryptSecret(keys.env('development'), CTX, line, 'kat')).toEqual(RECORD);
    const text = formatStore(CTX.scope, [line]);
    expect(text).toBe(
      `# git-kagi store api/development — edit with git kagi, not by hand\n${LINE}\n`,
    );
    const [parsed] = parseStore(text, CTX.scope, 'kat');
    expect(parsed).toEqual(line);
  });

  it('round-trips values with multi-byte UTF-8, newlines, quotes and NUL bytes', () => {
    const values = [
      '',
      'é',
      '🔑 key',
      'line1\nline2',
      '"quoted" \\ back',
      'ends in NUL\u0000',
      'x'.repeat(1000),
    ];
    for (const value of values) {
      const record = { ...RECORD, value };
      const l = encryptSecret(keys.env('development'), CTX, record);
      expect(decryptSecret(keys.env('development'), CTX, l, 'kat')).toEqual(record);
    }
  });

  it('draws a fresh nonce when none is given', () => {
    const a = encryptSecret(keys.env('development'), CTX, RECORD);
    const b = encryptSecret(keys.env('development'), CTX, RECORD);
    expect(a.tag).toBe(TAG);
    expect(a.payload).not.toBe(b.payload);
    expect(a.payload).not.toBe(line.payload);
  });
});
