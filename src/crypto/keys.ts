// Key schedule of DESIGN §3: every key derives from the root key by HKDF-SHA256 with salt
// `git-kagi/1` and a label; environment keys derive from `env:<name>`.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const SALT = 'git-kagi/1';
export const ROOT_KEY_BYTES = 32;

export interface EnvKeys {
  enc: Uint8Array;
  tag: Uint8Array;
}

export interface ProjectKeys {
  root: Uint8Array;
  keyId: string;
  seal: Uint8Array;
  proof: Uint8Array;
  history: Uint8Array;
  /** For the short value fingerprints `git diff` shows (textconv); see DESIGN.md §5. */
  fingerprint: Uint8Array;
  /** Seals the device's cache of decrypted scopes; see DESIGN.md §3. */
  scopeCache: Uint8Array;
  env(name: string): EnvKeys;
}

function deriveKey(ikm: Uint8Array, label: string, length = 32): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, SALT, label, length));
}

export function generateRootKey(): Uint8Array {
  return new Uint8Array(randomBytes(ROOT_KEY_BYTES));
}

export function computeKeyId(root: Uint8Array): string {
  return `kid_${Buffer.from(deriveKey(root, 'key-id', 16)).toString('base64url')}`;
}

export function deriveProjectKeys(root: Uint8Array): ProjectKeys {
  const envs = new Map<string, EnvKeys>();
  return {
    root,
    keyId: computeKeyId(root),
    seal: deriveKey(root, 'seal'),
    proof: deriveKey(root, 'proof'),
    history: deriveKey(root, 'history'),
    fingerprint: deriveKey(root, 'fingerprint'),
    scopeCache: deriveKey(root, 'scope-cache'),
    env(name) {
      let keys = envs.get(name);
      if (!keys) {
        const envRoot = deriveKey(root, `env:${name}`);
        keys = { enc: deriveKey(envRoot, 'enc'), tag: deriveKey(envRoot, 'tag') };
        envs.set(name, keys);
      }
      return keys;
    },
  };
}

export function computeHmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 64-hex form that KAGI_PROJECT_KEY and the device key cache use. */
export function formatRootKey(root: Uint8Array): string {
  return Buffer.from(root).toString('hex');
}

export function parseRootKeyHex(text: string): Uint8Array | null {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
