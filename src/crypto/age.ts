// age (X25519) identities and the wrapped root key (DESIGN §2–3): the one wrapper over the age
// library. age-encryption costs 100+ ms to import, so this file imports it lazily (its own chunk,
// scripts/build.mjs), only when the key cache cannot serve; importing this file costs nothing.
import { integrityError } from '../errors.js';
import { formatRootKey, parseRootKeyHex } from './keys.js';

type Age = typeof import('./age-library.js');
let loaded: Promise<Age> | undefined;

function loadAge(): Promise<Age> {
  loaded ??= import('./age-library.js');
  return loaded;
}

export async function generateIdentity(): Promise<string> {
  return (await loadAge()).generateX25519Identity();
}

export async function identityToRecipient(identity: string): Promise<string> {
  return (await loadAge()).identityToRecipient(identity);
}

/** Wraps to one recipient alone; armored, so `age -d` reads the field as it is. */
export async function wrapKey(plaintext: Uint8Array, recipient: string): Promise<string> {
  const age = await loadAge();
  const encrypter = new age.Encrypter();
  encrypter.addRecipient(recipient);
  return age.armor.encode(await encrypter.encrypt(plaintext));
}

export async function unwrapKey(
  wrapped: string,
  identity: string,
  where: string,
): Promise<Uint8Array> {
  const age = await loadAge();
  try {
    const decrypter = new age.Decrypter();
    decrypter.addIdentity(identity);
    return await decrypter.decrypt(age.armor.decode(wrapped), 'uint8array');
  } catch (cause) {
    throw integrityError(
      `${where} does not decrypt with this identity`,
      'ask an active member to re-approve you (`git kagi member approve`)',
      cause,
    );
  }
}

/** The root key wrapped to one recipient: the plaintext is its 64 hex characters (DESIGN §2). */
export function wrapRootKey(root: Uint8Array, recipient: string): Promise<string> {
  return wrapKey(new TextEncoder().encode(formatRootKey(root)), recipient);
}

/** Unwraps a root key wrapped by wrapRootKey; anything else is an integrity error naming `where`. */
export async function unwrapRootKey(
  wrapped: string,
  identity: string,
  where: string,
): Promise<Uint8Array> {
  const root = parseRootKeyHex(new TextDecoder().decode(await unwrapKey(wrapped, identity, where)));
  if (!root) throw integrityError(`${where} is malformed`);
  return root;
}

/** The identity line of an age identity file (`AGE-SECRET-KEY-1…`), ignoring comments. */
export function parseIdentityFile(text: string): string | null {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('AGE-SECRET-KEY-1')) return line;
  }
  return null;
}
