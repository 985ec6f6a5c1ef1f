// Unit tests of src/crypto/history.ts: a 3-epoch key history built by hand (DESIGN §2–3). The
// chain check accepts a pin it descends from and rejects a missing or altered step or a wrong pin.
import { describe, expect, it } from 'vitest';
import type { AccessFile, HistoryEntry } from '../../../src/core/access.js';
import {
  computeProof,
  openHistoryKey,
  sealHistoryKey,
  verifyKeyChain,
} from '../../../src/crypto/history.js';
import { deriveProjectKeys, generateRootKey, type ProjectKeys } from '../../../src/crypto/keys.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const PROJECT = 'kgp_AAAAAAAAAAAA';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const k1 = deriveProjectKeys(generateRootKey());
const k2 = deriveProjectKeys(generateRootKey());
const k3 = deriveProjectKeys(generateRootKey());

/** The history a rotation to epoch 3 writes: every older root sealed under the current key. */
function entry(
  current: ProjectKeys,
  epoch: number,
  old: ProjectKeys,
  next: ProjectKeys,
  nextEpoch: number,
): HistoryEntry {
  return {
    epoch,
    key_id: old.keyId,
    sealed_key: sealHistoryKey(current, PROJECT, epoch, old.root),
    proof: computeProof(old, nextEpoch, next.keyId),
  };
}

function chain(): AccessFile {
  return {
    format: 'git-kagi/1',
    project_id: PROJECT,
    epoch: 3,
    key_id: k3.keyId,
    history: [entry(k3, 1, k1, k2, 2), entry(k3, 2, k2, k3, 3)],
    members: [],
  };
}

function withEntry(access: AccessFile, epoch: number, change: Partial<HistoryEntry>): AccessFile {
  return {
    ...access,
    history: access.history.map((h) => (h.epoch === epoch ? { ...h, ...change } : h)),
  };
}

function flipFirstByte(base64url: string): string {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 0x01;
  return bytes.toString('base64url');
}

describe('verifyKeyChain', () => {
  it('accepts the current key from a pin at epoch 1 or epoch 2', () => {
    expect(verifyKeyChain(chain(), k3, 1, k1.keyId)).toBe(true);
    expect(verifyKeyChain(chain(), k3, 2, k2.keyId)).toBe(true);
  });

  it('rejects a pin whose key id is not the one at that epoch', () => {
    expect(verifyKeyChain(chain(), k3, 1, k2.keyId)).toBe(false);
    expect(verifyKeyChain(chain(), k3, 2, k1.keyId)).toBe(false);
    expect(verifyKeyChain(chain(), k3, 1, deriveProjectKeys(generateRootKey()).keyId)).toBe(false);
  });

  it('rejects a chain with a removed entry', () => {
    const access = chain();
    const without1 = { ...access, history: access.history.filter((h) => h.epoch !== 1) };
    expect(verifyKeyChain(without1, k3, 1, k1.keyId)).toBe(false);
    const without2 = { ...access, history: access.history.filter((h) => h.epoch !== 2) };
    expect(verifyKeyChain(without2, k3, 1, k1.keyId)).toBe(false);
    expect(verifyKeyChain(without2, k3, 2, k2.keyId)).toBe(false);
  });

  it.each<[string, (a: AccessFile) => AccessFile]>([
    [
      'a flipped proof',
      (a) => withEntry(a, 2, { proof: flipFirstByte(a.history[1]?.proof ?? '') }),
    ],
    [
      'a flipped sealed key',
      (a) => withEntry(a, 1, { sealed_key: flipFirstByte(a.history[0]?.sealed_key ?? '') }),
    ],
    ['a changed key id', (a) => withEntry(a, 1, { key_id: k2.keyId })],
    [
      'proofs swapped between epochs',
      (a) =>
        withEntry(withEntry(a, 1, { proof: a.history[1]?.proof ?? '' }), 2, {
          proof: a.history[0]?.proof ?? '',
        }),
    ],
    [
      'an entry relabelled to another epoch',
      (a) => ({ ...a, history: [{ ...(a.history[1] as HistoryEntry), epoch: 1 }] }),
    ],
    ['another project id', (a) => ({ ...a, project_id: 'kgp_BBBBBBBBBBBB' })],
  ])('rejects %s', (_what, alter) => {
    expect(verifyKeyChain(alter(chain()), k3, 1, k1.keyId)).toBe(false);
  });

  it('rejects a substituted key whose own, well-formed chain does not reach the pinned key', () => {
    // Someone who never held k1/k2 builds a complete chain o1 → o2 → forged of their own keys.
    const o1 = deriveProjectKeys(generateRootKey());
    const o2 = deriveProjectKeys(generateRootKey());
    const forged = deriveProjectKeys(generateRootKey());
    const access: AccessFile = {
      ...chain(),
      key_id: forged.keyId,
      history: [entry(forged, 1, o1, o2, 2), entry(forged, 2, o2, forged, 3)],
    };
    expect(verifyKeyChain(access, forged, 1, o1.keyId)).toBe(true);
    expect(verifyKeyChain(access, forged, 1, k1.keyId)).toBe(false);
    expect(verifyKeyChain(access, forged, 2, k2.keyId)).toBe(false);
    // Relabelling their epoch-1 entry with the pinned key id breaks its sealed key instead.
    const relabelled = withEntry(access, 1, { key_id: k1.keyId });
    expect(verifyKeyChain(relabelled, forged, 1, k1.keyId)).toBe(false);
    // And the real chain opened with the substituted current key fails.
    expect(verifyKeyChain(chain(), forged, 1, k1.keyId)).toBe(false);
  });

  it('accepts a one-step chain (pin at epoch 2 of a 2-epoch project)', () => {
    const access: AccessFile = {
      ...chain(),
      epoch: 2,
      key_id: k2.keyId,
      history: [entry(k2, 1, k1, k2, 2)],
    };
    expect(verifyKeyChain(access, k2, 1, k1.keyId)).toBe(true);
  });
});

describe('openHistoryKey', () => {
  it('returns the old root key of an entry', () => {
    const [first, second] = chain().history as [HistoryEntry, HistoryEntry];
    expect(hex(openHistoryKey(k3, PROJECT, first))).toBe(hex(k1.root));
    expect(hex(openHistoryKey(k3, PROJECT, second))).toBe(hex(k2.root));
  });

  it('fails as the integrity error under another key, project or epoch label', () => {
    const [first] = chain().history as [HistoryEntry];
    for (const attempt of [
      () => openHistoryKey(k2, PROJECT, first),
      () => openHistoryKey(k3, 'kgp_BBBBBBBBBBBB', first),
      () => openHistoryKey(k3, PROJECT, { ...first, epoch: 2 }),
      () => openHistoryKey(k3, PROJECT, { ...first, key_id: k2.keyId }),
    ]) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KagiError);
      expect((error as KagiError).exitCode).toBe(EXIT.integrity);
    }
  });
});

describe('computeProof', () => {
  it('binds the new epoch and key id under the old proof key', () => {
    const proof = computeProof(k1, 2, k2.keyId);
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(computeProof(k1, 2, k2.keyId)).toBe(proof);
    expect(computeProof(k1, 3, k2.keyId)).not.toBe(proof);
    expect(computeProof(k1, 2, k3.keyId)).not.toBe(proof);
    expect(computeProof(k2, 2, k2.keyId)).not.toBe(proof);
  });
});
