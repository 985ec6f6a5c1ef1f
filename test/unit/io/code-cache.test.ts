// Unit tests of src/io/code-cache.ts: a sealed cache opens to its own bytes, and any change to a
// sealed file (one bit anywhere, a cut, another header) opens to nothing, so V8 never sees it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCache, sealCache } from '../../../src/io/code-cache.js';

describe('sealCache / checkCache', () => {
  it('gives back exactly the sealed bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), (data) => {
        expect(checkCache(sealCache(data))).toEqual(Buffer.from(data));
      }),
    );
  });

  it('refuses a file with any bit flipped', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (data, at, bit) => {
          const file = sealCache(data);
          const i = at % file.length;
          file[i] = (file[i] as number) ^ (1 << bit);
          expect(checkCache(file)).toBeNull();
        },
      ),
    );
  });

  it('refuses cut, empty, missing and header-only files', () => {
    const file = sealCache(new Uint8Array(100).fill(7));
    expect(checkCache(file.subarray(0, file.length - 1))).toBeNull();
    expect(checkCache(file.subarray(0, file.length - 100))).toBeNull();
    expect(checkCache(new Uint8Array(0))).toBeNull();
    expect(checkCache(null)).toBeNull();
  });

  it('opens a file read into a larger buffer at an offset', () => {
    const file = sealCache(new Uint8Array([1, 2, 3]));
    const pool = new Uint8Array(file.length + 10);
    pool.set(file, 5);
    expect(checkCache(pool.subarray(5, 5 + file.length))).toEqual(Buffer.from([1, 2, 3]));
  });
});
