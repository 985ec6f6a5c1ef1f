// Unit tests of src/crypto/age.ts: the root key wrapped to one age recipient (DESIGN §2) opens
// with that identity only; any other identity or a damaged file is the integrity error (exit 4).
import { describe, expect, it } from 'vitest';
import {
  generateIdentity,
  identityToRecipient,
  parseIdentityFile,
  unwrapKey,
  wrapKey,
} from '../../../src/crypto/age.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const ROOT = new TextEncoder().encode('00'.repeat(32));

async function unwrapFailure(wrapped: string, identity: string): Promise<KagiError> {
  try {
    await unwrapKey(wrapped, identity, 'the wrapped key of member kgm_aaaaaaaaaaaa');
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    return error as KagiError;
  }
  throw new Error('expected unwrapKey to throw');
}

describe('wrapKey / unwrapKey', () => {
  it('round-trips to the recipient’s identity, as an armored age file', async () => {
    const identity = await generateIdentity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/);
    const recipient = await identityToRecipient(identity);
    expect(recipient).toMatch(/^age1[0-9a-z]+$/);
    const wrapped = await wrapKey(ROOT, recipient);
    expect(wrapped.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')).toBe(true);
    expect(await unwrapKey(wrapped, identity, 'x')).toEqual(ROOT);
  });

  it('refuses another identity and a damaged file with exit 4, naming the object', async () => {
    const identity = await generateIdentity();
    const wrapped = await wrapKey(ROOT, await identityToRecipient(identity));
    const other = await unwrapFailure(wrapped, await generateIdentity());
    expect(other.exitCode).toBe(EXIT.integrity);
    expect(other.message).toContain('member kgm_aaaaaaaaaaaa');
    const lines = wrapped.split('\n');
    const row = lines[2] as string;
    lines[2] = `${row.slice(0, 10)}${row[10] === 'A' ? 'B' : 'A'}${row.slice(11)}`;
    const damaged = await unwrapFailure(lines.join('\n'), identity);
    expect(damaged.exitCode).toBe(EXIT.integrity);
    expect((await unwrapFailure('not age at all', identity)).exitCode).toBe(EXIT.integrity);
  });
});

describe('parseIdentityFile', () => {
  it('finds the identity line among age-keygen comments and CRLF', () => {
    const text =
      '# created: 2024-01-01T00:00:00Z\r\n# public key: age1xyz\r\n  AGE-SECRET-KEY-1ABC  \r\n';
    expect(parseIdentityFile(text)).toBe('AGE-SECRET-KEY-1ABC');
  });

  it('gives null when there is none', () => {
    expect(parseIdentityFile('# only a comment\n')).toBeNull();
    expect(parseIdentityFile('')).toBeNull();
  });
});
