// Unit tests of src/crypto/scope-cache.ts: a sealed scope opens only with the same key, project,
// scope, epoch and store digest; anything else, and any damage, is a miss (null), never an error.
import { describe, expect, it } from 'vitest';
import { deriveProjectKeys } from '../../../src/crypto/keys.js';
import { digestStore, openScopeCache, sealScopeCache } from '../../../src/crypto/scope-cache.js';
import type { LineContext, SecretRecord } from '../../../src/crypto/secret-line.js';

const keys = deriveProjectKeys(new Uint8Array(32).fill(7));
const otherKeys = deriveProjectKeys(new Uint8Array(32).fill(8));
const ctx: LineContext = { projectId: 'kgp_aaaaaaaaaaaa', scope: 'api/development', epoch: 2 };
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

function seal(): Uint8Array {
  return sealScopeCache(keys.scopeCache, ctx, digestStore(STORE), records);
}

describe('scope cache', () => {
  it('opens what it sealed, for the same store', () => {
    expect(openScopeCache(keys.scopeCache, ctx, digestStore(STORE), seal())).toEqual(records);
  });

  it('holds no value, name or author in the clear', () => {
    const text = Buffer.from(seal()).toString('latin1');
    for (const needle of ['sk_live_4f9a2b7c1d', 'API_KEY', 'line one', 'kgm_x'])
      expect(text).not.toContain(needle);
  });

  it('is a miss for another store, scope, epoch, project or key', () => {
    const file = seal();
    const digest = digestStore(STORE);
    expect(openScopeCache(keys.scopeCache, ctx, digestStore(`${STORE}x`), file)).toBeNull();
    expect(
      openScopeCache(keys.scopeCache, { ...ctx, scope: 'web/development' }, digest, file),
    ).toBeNull();
    expect(openScopeCache(keys.scopeCache, { ...ctx, epoch: 3 }, digest, file)).toBeNull();
    expect(
      openScopeCache(keys.scopeCache, { ...ctx, projectId: 'kgp_bbbbbbbbbbbb' }, digest, file),
    ).toBeNull();
    expect(openScopeCache(otherKeys.scopeCache, ctx, digest, file)).toBeNull();
  });

  it('is a miss when any byte is changed, or the file is cut short or empty', () => {
    const file = seal();
    const digest = digestStore(STORE);
    for (let i = 0; i < file.length; i += 7) {
      const damaged = file.slice();
      damaged[i] = (damaged[i] as number) ^ 1;
      expect(openScopeCache(keys.scopeCache, ctx, digest, damaged)).toBeNull();
    }
    expect(
      openScopeCache(keys.scopeCache, ctx, digest, file.subarray(0, file.length - 1)),
    ).toBeNull();
    expect(openScopeCache(keys.scopeCache, ctx, digest, new Uint8Array(0))).toBeNull();
  });

  it('seals an empty scope too', () => {
    const digest = digestStore('git-kagi/1 development\n');
    const file = sealScopeCache(keys.scopeCache, ctx, digest, []);
    expect(openScopeCache(keys.scopeCache, ctx, digest, file)).toEqual([]);
  });

  it('derives its key apart from every other key of the project', () => {
    const others = [keys.seal, keys.proof, keys.history, keys.fingerprint, keys.root];
    for (const other of others)
      expect(Buffer.from(keys.scopeCache).equals(Buffer.from(other))).toBe(false);
  });
});
