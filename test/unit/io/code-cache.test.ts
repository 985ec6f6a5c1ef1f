// Unit tests of src/io/code-cache.ts: a sealed cache opens to its own bytes for its own source, and
// any change to a sealed file (one bit anywhere, a cut, another header) or to the source opens to
// nothing, so V8 never sees it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCache, sealCache } from '../../../src/io/code-cache.js';

const SOURCE = Buffer.from('(function (exports, require) {module.exports = 1;\n})', 'latin1');

describe('sealCache / checkCache', () => {
  it('gives back exactly the sealed bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), (data) => {
        expect(checkCache(sealCache(data, SOURCE), SOURCE)).toEqual(Buffer.from(data));
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
          const file = sealCache(data, SOURCE);
          const i = at % file.length;
          file[i] = (file[i] as number) ^ (1 << bit);
          expect(checkCache(file, SOURCE)).toBeNull();
        },
      ),
    );
  });

  it('refuses cut, empty, missing and header-only files', () => {
    const file = sealCache(new Uint8Array(100).fill(7), SOURCE);
    expect(checkCache(file.subarray(0, file.length - 1), SOURCE)).toBeNull();
    expect(checkCache(file.subarray(0, file.length - 100), SOURCE)).toBeNull();
    expect(checkCache(new Uint8Array(0), SOURCE)).toBeNull();
    expect(checkCache(null, SOURCE)).toBeNull();
  });

  it('opens a file read into a larger buffer at an offset', () => {
    const file = sealCache(new Uint8Array([1, 2, 3]), SOURCE);
    const pool = new Uint8Array(file.length + 10);
    pool.set(file, 5);
    expect(checkCache(pool.subarray(5, 5 + file.length), SOURCE)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('refuses a cache made for a source changed in place, even to the same length', () => {
    const file = sealCache(new Uint8Array([1, 2, 3]), SOURCE);
    const patched = Buffer.from(SOURCE);
    patched[patched.length - 5] = 0x32; // module.exports = 2
    expect(patched.length).toBe(SOURCE.length);
    expect(checkCache(file, patched)).toBeNull();
    expect(checkCache(file, SOURCE.subarray(1))).toBeNull();
  });
});
