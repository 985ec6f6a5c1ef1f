// Unit tests of src/crypto/seal.ts: a member's seal (DESIGN §2) verifies under the seal key it was
// made with, and changing any sealed field, the project or the epoch breaks it.
import { describe, expect, it } from 'vitest';
import type { Member } from '../../../src/core/access.js';
import { deriveProjectKeys, generateRootKey } from '../../../src/crypto/keys.js';
import { computeSeal, verifySeal } from '../../../src/crypto/seal.js';

const PROJECT = 'kgp_AAAAAAAAAAAA';
const keys = deriveProjectKeys(generateRootKey());

const BASE: Member = {
  id: 'kgm_aaaaaaaaaaaa',
  name: 'alice',
  recipient: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq',
  status: 'active',
  requested_at: '2024-01-01T00:00:00.000Z',
  approved_by: 'kgm_aaaaaaaaaaaa',
  approved_at: '2024-01-01T00:00:00.000Z',
  wrapped_key: 'wrapped',
};
const sealed: Member = { ...BASE, seal: computeSeal(keys.seal, PROJECT, 2, BASE) };

describe('computeSeal / verifySeal', () => {
  it('verifies a seal made with the same key, project and epoch', () => {
    expect(sealed.seal).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifySeal(keys.seal, PROJECT, 2, sealed)).toBe(true);
  });

  it('is deterministic', () => {
    expect(computeSeal(keys.seal, PROJECT, 2, BASE)).toBe(sealed.seal);
  });

  it.each<[string, Partial<Member>]>([
    ['id', { id: 'kgm_bbbbbbbbbbbb' }],
    ['name', { name: 'mallory' }],
    ['recipient', { recipient: `${BASE.recipient.slice(0, -1)}x` }],
    ['status (pending → active forgery)', { status: 'pending' }],
    ['status (removed)', { status: 'removed' }],
  ])('fails when the %s changes', (_field, change) => {
    expect(verifySeal(keys.seal, PROJECT, 2, { ...sealed, ...change })).toBe(false);
  });

  it('fails at another epoch or in another project', () => {
    expect(verifySeal(keys.seal, PROJECT, 1, sealed)).toBe(false);
    expect(verifySeal(keys.seal, PROJECT, 3, sealed)).toBe(false);
    expect(verifySeal(keys.seal, 'kgp_BBBBBBBBBBBB', 2, sealed)).toBe(false);
  });

  it('fails under another project key, or any key other than the seal key', () => {
    expect(verifySeal(deriveProjectKeys(generateRootKey()).seal, PROJECT, 2, sealed)).toBe(false);
    expect(verifySeal(keys.proof, PROJECT, 2, sealed)).toBe(false);
  });

  it('fails without a seal, with a truncated seal, or with garbage, without throwing', () => {
    expect(verifySeal(keys.seal, PROJECT, 2, BASE)).toBe(false);
    expect(verifySeal(keys.seal, PROJECT, 2, { ...BASE, seal: '' })).toBe(false);
    expect(verifySeal(keys.seal, PROJECT, 2, { ...BASE, seal: sealed.seal?.slice(0, -2) })).toBe(
      false,
    );
    expect(verifySeal(keys.seal, PROJECT, 2, { ...BASE, seal: '!!not base64!!' })).toBe(false);
  });

  it('does not let field boundaries shift (name "ab"+recipient vs name "a"+recipient "b…")', () => {
    const a: Member = { ...BASE, name: 'al', recipient: 'age1xyz' };
    const b: Member = { ...BASE, name: 'a', recipient: 'lage1xyz' };
    expect(computeSeal(keys.seal, PROJECT, 2, a)).not.toBe(computeSeal(keys.seal, PROJECT, 2, b));
  });
});
