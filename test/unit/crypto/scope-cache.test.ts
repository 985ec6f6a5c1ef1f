// Unit tests of src/crypto/scope-cache.ts: a sealed cache opens only with the same key, project
// and epoch; anything else, and any damage, is a miss (an empty cache), never an error. Records
// round-trip through their encoding, and what is not that encoding is refused.
import { describe, expect, it } from 'vitest';
import { deriveProjectKeys } from '../../../src/crypto/keys.js';
import {
  type CachedScope,
  decodeRecords,
  digestStore,
  encodeRecords,
  openScopeCache,
  sealScopeCache,
} from '../../../src/crypto/scope-cache.js';
import type { SecretRecord } from '../../../src/crypto/secret-line.js';

const keys = deriveProjectKeys(new Uint8Array(32).fill(7));
const otherKeys = deriveProjectKeys(new Uint8Array(32).fill(8));
const ctx = { projectId: 'kgp_aaaaaaaaaaaa', epoch: 2 };
const STORE = 'git-kagi/1 api/development\ntag 2 payload\n';
const records: SecretRecord[] = [
  {
    name: 'API_KEY',
    value: 'sk_live_4f9a2b7c1d',
    updated_at: '2026-11-22T10:00:00.000Z',
    updated_by: 'kgm_x',
  },
  {
    name: 'PEM',
    value: 'line one\nline two ☃',
    updated_at: '2026-11-22T10:00:00.000Z',
    updated_by: 'kgm_y',
  },
];

const scopes = new Map<string, CachedScope>([
  ['api/development', { digest: digestStore(STORE), records: encodeRecords(records) }],
  ['development', { digest: digestStore('git-kagi/1 development\n'), records: encodeRecords([]) }],
]);

function seal(): Uint8Array {
  return sealScopeCache(keys.scopeCache, ctx, scopes);
}

function opened(file: Uint8Array, key = keys.scopeCache, context = ctx) {
  const map = openScopeCache(key, context, file);
  return Object.fromEntries(
    [...map].map(([name, s]) => [
      name,
      { digest: Buffer.from(s.digest).toString('hex'), records: decodeRecords(s.records) },
    ]),
  );
}

describe('scope cache', () => {
  it('opens what it sealed: every scope, its digest and its records', () => {
    expect(opened(seal())).toEqual({
      'api/development': { digest: Buffer.from(digestStore(STORE)).toString('hex'), records },
      development: {
        digest: Buffer.from(digestStore('git-kagi/1 development\n')).toString('hex'),
        records: [],
      },
    });
    expect(opened(sealScopeCache(keys.scopeCache, ctx, new Map()))).toEqual({});
  });

  it('holds no value, name, author or scope in the clear', () => {
    const text = Buffer.from(seal()).toString('latin1');
    for (const needle of ['sk_live_4f9a2b7c1d', 'API_KEY', 'line one', 'kgm_x', 'api/development'])
      expect(text).not.toContain(needle);
  });

  it('is a miss for another epoch, project or key', () => {
    const file = seal();
    expect(opened(file, keys.scopeCache, { ...ctx, epoch: 3 })).toEqual({});
    expect(opened(file, keys.scopeCache, { ...ctx, projectId: 'kgp_bbbbbbbbbbbb' })).toEqual({});
    expect(opened(file, otherKeys.scopeCache)).toEqual({});
  });

  it('is a miss when any byte is changed, or the file is cut short or empty', () => {
    const file = seal();
    for (let i = 0; i < file.length; i += 7) {
      const damaged = file.slice();
      damaged[i] = (damaged[i] as number) ^ 1;
      expect(opened(damaged)).toEqual({});
    }
    expect(opened(file.subarray(0, file.length - 1))).toEqual({});
    expect(opened(new Uint8Array(0))).toEqual({});
  });

  it('decodes only what encodeRecords writes', () => {
    expect(decodeRecords(encodeRecords(records))).toEqual(records);
    const bad = ['', '{}', '[["a","b","c"]]', '[["a","b","c",4]]', '[1]', '\u00ff'];
    for (const text of bad) expect(decodeRecords(new TextEncoder().encode(text))).toBeNull();
    expect(decodeRecords(new Uint8Array([0x5b, 0xff, 0x5d]))).toBeNull();
  });

  it('derives its key apart from every other key of the project', () => {
    const others = [keys.seal, keys.proof, keys.history, keys.fingerprint, keys.root];
    for (const other of others)
      expect(Buffer.from(keys.scopeCache).equals(Buffer.from(other))).toBe(false);
  });
});
