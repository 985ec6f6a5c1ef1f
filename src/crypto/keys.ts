// Key schedule of DESIGN §3: every key derives from the root key by HKDF-SHA256 with salt
// `git-kagi/1` and a label; environment keys derive from `env:<name>`.
//
// HMAC (RFC 2104) and HKDF (RFC 5869) are built here on node:crypto's SHA-256 rather than taken
// from createHmac and hkdfSync: every start already uses the hash (the code cache's digest), and
// the first call of each of the other two costs about 0.3 ms of set-up, on `run`'s budgeted path
// (bench case 1). Pinned by the RFCs' vectors and checked against Node's own in the unit tests.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

const SHA256_BLOCK = 64;
const SHA256_BYTES = 32;

export function computeHmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const block = new Uint8Array(SHA256_BLOCK);
  block.set(key.length > SHA256_BLOCK ? createHash('sha256').update(key).digest() : key);
  const inner = createHash('sha256')
    .update(block.map((byte) => byte ^ 0x36))
    .update(data)
    .digest();
  const outer = createHash('sha256').update(block.map((byte) => byte ^ 0x5c));
  return new Uint8Array(outer.update(inner).digest());
}

/** HKDF-Extract with the project's salt: one pseudorandom key per input key, for many labels. */
function extractKey(ikm: Uint8Array): Uint8Array {
  return computeHmac(Buffer.from(SALT), ikm);
}

/** HKDF-Expand to one block: `length` (at most 32) bytes for `label`. */
function expandKey(prk: Uint8Array, label: string, length = SHA256_BYTES): Uint8Array {
  const okm = computeHmac(prk, Buffer.concat([Buffer.from(label), Uint8Array.of(1)]));
  return length === SHA256_BYTES ? okm : okm.slice(0, length);
}

/** A project (`kgp_`) or member (`kgm_`) id: 9 random bytes in base64url (DESIGN §2). */
export function newId(prefix: 'kgp_' | 'kgm_'): string {
  return prefix + randomBytes(9).toString('base64url');
}

export function generateRootKey(): Uint8Array {
  return new Uint8Array(randomBytes(ROOT_KEY_BYTES));
}

export function computeKeyId(root: Uint8Array): string {
  return formatKeyId(extractKey(root));
}

function formatKeyId(prk: Uint8Array): string {
  return `kid_${Buffer.from(expandKey(prk, 'key-id', 16)).toString('base64url')}`;
}

/** The keys of a root key, each derived on first use: a command needs only some of them. */
export function deriveProjectKeys(root: Uint8Array): ProjectKeys {
  const prk = extractKey(root);
  const derived = new Map<string, Uint8Array>();
  const key = (label: string) => {
    let value = derived.get(label);
    if (!value) {
      value = expandKey(prk, label);
      derived.set(label, value);
    }
    return value;
  };
  const envs = new Map<string, EnvKeys>();
  return {
    root,
    keyId: formatKeyId(prk),
    get seal() {
      return key('seal');
    },
    get proof() {
      return key('proof');
    },
    get history() {
      return key('history');
    },
    get fingerprint() {
      return key('fingerprint');
    },
    get scopeCache() {
      return key('scope-cache');
    },
    env(name) {
      let keys = envs.get(name);
      if (!keys) {
        const envPrk = extractKey(key(`env:${name}`));
        keys = { enc: expandKey(envPrk, 'enc'), tag: expandKey(envPrk, 'tag') };
        envs.set(name, keys);
      }
      return keys;
    },
  };
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
