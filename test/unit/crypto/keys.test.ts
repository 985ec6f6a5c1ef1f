// Unit tests of src/crypto/keys.ts: root keys, key ids, the per-environment keys (DESIGN §3; the
// exact values are pinned in test/vectors/envelope-kat.test.ts) and the 64-hex key form.
import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeHmac,
  computeKeyId,
  deriveProjectKeys,
  equalBytes,
  formatRootKey,
  generateRootKey,
  parseRootKeyHex,
  ROOT_KEY_BYTES,
} from '../../../src/crypto/keys.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('generateRootKey', () => {
  it('gives 32 fresh random bytes each time', () => {
    const a = generateRootKey();
    const b = generateRootKey();
    expect(a).toHaveLength(ROOT_KEY_BYTES);
    expect(ROOT_KEY_BYTES).toBe(32);
    expect(hex(a)).not.toBe(hex(b));
  });
});

describe('computeKeyId', () => {
  it('is kid_ and 22 base64url characters (16 bytes), stable for a key', () => {
    const root = generateRootKey();
    const id = computeKeyId(root);
    expect(id).toMatch(/^kid_[A-Za-z0-9_-]{22}$/);
    expect(computeKeyId(root)).toBe(id);
    expect(computeKeyId(generateRootKey())).not.toBe(id);
  });

  it('does not reveal the key (it is not a prefix or encoding of it)', () => {
    const root = generateRootKey();
    const id = computeKeyId(root).slice(4);
    expect(Buffer.from(root).toString('base64url')).not.toContain(id);
  });
});

describe('deriveProjectKeys', () => {
  const root = generateRootKey();
  const keys = deriveProjectKeys(root);

  it('derives distinct 32-byte keys for each purpose and environment', () => {
    const all = [
      keys.seal,
      keys.proof,
      keys.history,
      keys.env('development').enc,
      keys.env('development').tag,
      keys.env('production').enc,
      keys.env('production').tag,
      root,
    ].map(hex);
    expect(new Set(all).size).toBe(all.length);
    for (const k of [keys.seal, keys.proof, keys.history, keys.env('x').enc]) {
      expect(k).toHaveLength(32);
    }
    expect(keys.keyId).toBe(computeKeyId(root));
  });

  it('derives the same keys from the same root, in another process or object', () => {
    const again = deriveProjectKeys(new Uint8Array(root));
    expect(hex(again.env('test').enc)).toBe(hex(keys.env('test').enc));
    expect(hex(again.seal)).toBe(hex(keys.seal));
    expect(keys.env('test')).toBe(keys.env('test'));
  });

  it("derives what node:crypto's hkdfSync derives with the salt `git-kagi/1` (RFC 5869)", () => {
    const hkdf = (ikm: Uint8Array, label: string, length = 32) =>
      hex(new Uint8Array(hkdfSync('sha256', ikm, 'git-kagi/1', label, length)));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), (ikm, env) => {
        const derived = deriveProjectKeys(ikm);
        expect(derived.keyId).toBe(
          `kid_${Buffer.from(hkdf(ikm, 'key-id', 16), 'hex').toString('base64url')}`,
        );
        for (const label of ['seal', 'proof', 'history', 'fingerprint', 'scope-cache'] as const) {
          const field = label === 'scope-cache' ? 'scopeCache' : label;
          expect(hex(derived[field])).toBe(hkdf(ikm, label));
        }
        const envRoot = Buffer.from(hkdf(ikm, `env:${env}`), 'hex');
        expect(hex(derived.env(env).enc)).toBe(hkdf(envRoot, 'enc'));
        expect(hex(derived.env(env).tag)).toBe(hkdf(envRoot, 'tag'));
      }),
    );
  });

  it('keeps environment keys apart even for names that look alike', () => {
    expect(hex(keys.env('prod').enc)).not.toBe(hex(keys.env('production').enc));
    expect(hex(keys.env('a').tag)).not.toBe(hex(keys.env('a.').tag));
  });
});

describe('formatRootKey and parseRootKeyHex', () => {
  it('round-trip the 64-hex form that KAGI_PROJECT_KEY takes', () => {
    const root = generateRootKey();
    const text = formatRootKey(root);
    expect(text).toMatch(/^[0-9a-f]{64}$/);
    expect(hex(parseRootKeyHex(text) as Uint8Array)).toBe(hex(root));
  });

  it('accepts upper case and surrounding whitespace (a file with a newline)', () => {
    const root = generateRootKey();
    const parsed = parseRootKeyHex(`  ${formatRootKey(root).toUpperCase()}\n`);
    expect(parsed && hex(parsed)).toBe(hex(root));
  });

  it.each([
    ['63 characters', 'a'.repeat(63)],
    ['65 characters', 'a'.repeat(65)],
    ['a non-hex character', `${'a'.repeat(63)}g`],
    ['an inner space', `${'a'.repeat(32)} ${'a'.repeat(32)}`],
    ['a 0x prefix', `0x${'a'.repeat(64)}`],
    ['empty text', ''],
  ])('rejects %s', (_what, text) => {
    expect(parseRootKeyHex(text)).toBeNull();
  });
});

describe('computeHmac and equalBytes', () => {
  it('computes HMAC-SHA256 (RFC 4231 test case 2)', () => {
    const mac = computeHmac(
      new TextEncoder().encode('Jefe'),
      new TextEncoder().encode('what do ya want for nothing?'),
    );
    expect(hex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('computes HMAC-SHA256 with a key longer than a block (RFC 4231 test case 6)', () => {
    const mac = computeHmac(
      new Uint8Array(131).fill(0xaa),
      new TextEncoder().encode('Test Using Larger Than Block-Size Key - Hash Key First'),
    );
    expect(hex(mac)).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it("agrees with node:crypto's createHmac for any key and message", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        (key, data) => {
          expect(hex(computeHmac(key, data))).toBe(
            createHmac('sha256', key).update(data).digest('hex'),
          );
        },
      ),
    );
  });

  it('compares bytes, and answers false for different lengths instead of throwing', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
