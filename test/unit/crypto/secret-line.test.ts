// Unit tests of src/crypto/secret-line.ts: a store line is bound to its project, scope, epoch and
// tag (DESIGN §2); any line moved or altered fails as one integrity error (exit 4) without values.
import { describe, expect, it } from 'vitest';
import type { StoreLine } from '../../../src/core/store.js';
import { sealPayload } from '../../../src/crypto/envelope.js';
import { deriveProjectKeys, generateRootKey } from '../../../src/crypto/keys.js';
import {
  computeTag,
  decryptSecret,
  encodeAssociatedData,
  encryptSecret,
  type LineContext,
  padPlaintext,
  type SecretRecord,
} from '../../../src/crypto/secret-line.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const CANARY = 'canary-Kq7zX9wP3Jv5';
const keys = deriveProjectKeys(generateRootKey());
const dev = keys.env('development');
const CTX: LineContext = { projectId: 'kgp_AAAAAAAAAAAA', scope: 'api/development', epoch: 1 };
const WHERE = '.kagi/secrets/api/development.enc';

function record(name: string, value = CANARY): SecretRecord {
  return { name, value, updated_at: '2024-01-01T00:00:00.000Z', updated_by: 'kgm_aaaaaaaaaaaa' };
}

const LINE = encryptSecret(dev, CTX, record('DATABASE_URL'));
const OTHER = encryptSecret(dev, CTX, record('API_TOKEN', `${CANARY}-2`));

/** Decrypts expecting the integrity error; checks it names the file and carries no value. */
function failure(line: StoreLine, ctx = CTX, envKeys = dev): KagiError {
  try {
    decryptSecret(envKeys, ctx, line, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    const kagi = error as KagiError;
    expect(kagi.code).toBe('integrity');
    expect(kagi.exitCode).toBe(EXIT.integrity);
    expect(kagi.message).toContain(WHERE);
    const shown = `${kagi.message}\n${kagi.hint ?? ''}`;
    expect(shown).not.toContain(CANARY);
    expect(shown).not.toContain('DATABASE_URL');
    return kagi;
  }
  throw new Error('expected decryptSecret to throw');
}

/** A line built by hand: any plaintext, sealed under the right key and associated data. */
function forge(tag: string, plaintext: Uint8Array): StoreLine {
  const payload = sealPayload(dev.enc, plaintext, encodeAssociatedData(CTX, tag));
  return { tag, epoch: 1, payload: Buffer.from(payload).toString('base64url') };
}

describe('encryptSecret / decryptSecret', () => {
  it('round-trips the record, and the tag is the one computeTag gives', () => {
    expect(decryptSecret(dev, CTX, LINE, WHERE)).toEqual(record('DATABASE_URL'));
    expect(LINE.tag).toBe(computeTag(dev.tag, CTX.scope, 'DATABASE_URL'));
    expect(LINE.epoch).toBe(1);
  });

  it('shows neither the name nor the value in the line', () => {
    const text = `${LINE.tag} ${LINE.epoch} ${LINE.payload}`;
    expect(text).not.toContain('DATABASE_URL');
    expect(text).not.toContain(Buffer.from(CANARY).toString('base64url').slice(0, 8));
  });

  it('keeps the tag while the name exists, and changes the payload on every write', () => {
    const again = encryptSecret(dev, CTX, record('DATABASE_URL', 'new'));
    expect(again.tag).toBe(LINE.tag);
    expect(again.payload).not.toBe(LINE.payload);
  });
});

describe('a line that moved or changed fails with exit 4', () => {
  it('moved to another scope of the same env (same keys)', () => {
    failure(LINE, { ...CTX, scope: 'development' });
    failure(LINE, { ...CTX, scope: 'web/development' });
  });

  it('moved to another env', () => {
    failure(LINE, { ...CTX, scope: 'api/production' }, keys.env('production'));
  });

  it('moved to another project, even one with the same key (a copied .kagi/)', () => {
    failure(LINE, { ...CTX, projectId: 'kgp_BBBBBBBBBBBB' });
  });

  it('moved to another project key', () => {
    failure(LINE, CTX, deriveProjectKeys(generateRootKey()).env('development'));
  });

  it('at another epoch than the key, whether the field or the key changed', () => {
    const relabelled = failure({ ...LINE, epoch: 2 });
    expect(relabelled.message).toContain('epoch 2');
    failure({ ...LINE, epoch: 2 }, { ...CTX, epoch: 2 });
    failure(LINE, { ...CTX, epoch: 2 });
  });

  it('given another line’s tag (the payloads of two lines swapped)', () => {
    failure({ ...LINE, payload: OTHER.payload });
    failure({ ...OTHER, payload: LINE.payload });
  });

  it('with any single byte of its payload flipped', () => {
    const bytes = Buffer.from(LINE.payload, 'base64url');
    for (let at = 0; at < bytes.length; at += 7) {
      const flipped = Buffer.from(bytes);
      flipped[at] = (flipped[at] as number) ^ 0x80;
      failure({ ...LINE, payload: flipped.toString('base64url') });
    }
  });

  it('truncated, emptied, or extended', () => {
    failure({ ...LINE, payload: LINE.payload.slice(0, -1) });
    failure({ ...LINE, payload: LINE.payload.slice(0, -4) });
    failure({ ...LINE, payload: LINE.payload.slice(0, 40) });
    failure({ ...LINE, payload: '' });
    failure({ ...LINE, payload: `${LINE.payload}AAAA` });
  });
});

describe('a line that decrypts but lies fails with exit 4', () => {
  it('a tag that does not match the decrypted name', () => {
    const json = JSON.stringify(record('API_TOKEN'));
    const error = failure(forge(LINE.tag, padPlaintext(json)));
    expect(error.message).toContain('tag');
  });

  it.each([
    ['not JSON', `not json ${CANARY}`],
    ['JSON that is not an object', `["${CANARY}"]`],
    [
      'a record without a value',
      JSON.stringify({ name: 'DATABASE_URL', updated_at: 'x', updated_by: 'y' }),
    ],
    ['a record with an extra field', JSON.stringify({ ...record('DATABASE_URL'), extra: 1 })],
    ['a numeric value', JSON.stringify({ ...record('DATABASE_URL'), value: 42 })],
    ['an invalid name', JSON.stringify(record('DATABASE-URL'))],
  ])('decrypted to %s', (_what, json) => {
    const error = failure(forge(LINE.tag, padPlaintext(json)));
    expect(error.message).toContain('malformed');
  });

  it('decrypted to invalid UTF-8', () => {
    failure(forge(LINE.tag, Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)));
  });
});

describe('padPlaintext', () => {
  it('pads with zeros to the next multiple of 32, and empty text to 32', () => {
    expect(padPlaintext('')).toHaveLength(32);
    expect(padPlaintext('a'.repeat(31))).toHaveLength(32);
    expect(padPlaintext('a'.repeat(32))).toHaveLength(32);
    expect(padPlaintext('a'.repeat(33))).toHaveLength(64);
    expect(padPlaintext('é'.repeat(16))).toHaveLength(32);
    expect(padPlaintext('é'.repeat(17))).toHaveLength(64);
    expect([...padPlaintext('ab').subarray(2)].every((b) => b === 0)).toBe(true);
  });
});
