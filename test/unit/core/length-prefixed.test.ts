// Unit tests of src/core/length-prefixed.ts: each part is a 4-byte big-endian length, then its
// UTF-8 bytes; the encoding is injective (no two part lists encode alike).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLengthPrefixed, encodeLengthPrefixed } from '../../../src/core/length-prefixed.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('encodeLengthPrefixed', () => {
  it('writes lengths big-endian, strings as UTF-8, bytes as they are', () => {
    expect(hex(encodeLengthPrefixed(['ab', new Uint8Array([1, 2, 3]), '', '☃']))).toBe(
      `00000002${'6162'}00000003${'010203'}00000000${''}00000003${'e29883'}`,
    );
    expect(encodeLengthPrefixed([])).toEqual(new Uint8Array(0));
  });

  it('returns a Uint8Array that owns its whole buffer', () => {
    const out = encodeLengthPrefixed(['git-kagi/1', 'kgp_x']);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length);
  });

  it('is injective: equal encodings only for parts with equal bytes, and matches a reference', () => {
    const parts = fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array()), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        expect(hex(encodeLengthPrefixed(a))).toBe(reference(a));
        if (reference(a) === reference(b))
          expect(a.map((p) => hex(toBytes(p)))).toEqual(b.map((p) => hex(toBytes(p))));
      }),
    );
  });
});

/** The definition, written the slow way. */
function reference(parts: ReadonlyArray<string | Uint8Array>): string {
  return parts
    .map((p) => {
      const bytes = toBytes(p);
      return `${bytes.length.toString(16).padStart(8, '0')}${hex(bytes)}`;
    })
    .join('');
}

function toBytes(part: string | Uint8Array): Uint8Array {
  return typeof part === 'string' ? new TextEncoder().encode(part) : part;
}

describe('decodeLengthPrefixed', () => {
  it('gives back the bytes of every part that was encoded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (parts) => {
        const decoded = decodeLengthPrefixed(encodeLengthPrefixed(parts));
        expect(decoded?.map(hex)).toEqual(parts.map(hex));
      }),
    );
  });

  it('refuses a cut encoding and trailing bytes, and reads views at any offset', () => {
    const encoded = encodeLengthPrefixed(['ab', 'cde']);
    for (let end = 1; end < encoded.length; end++) {
      if (end === 6) continue; // exactly the first part
      expect(decodeLengthPrefixed(encoded.subarray(0, end))).toBeNull();
    }
    expect(decodeLengthPrefixed(encoded.subarray(0, 6))?.map(hex)).toEqual(['6162']);
    const pool = new Uint8Array(encoded.length + 3);
    pool.set(encoded, 3);
    expect(decodeLengthPrefixed(pool.subarray(3))?.map(hex)).toEqual(['6162', '636465']);
  });
});
