// The device's cache of decrypted scopes (DESIGN.md §3): one file per scope in the git dir, the
// scope's records sealed under the project's cache key and bound to the exact store they came
// from. Opening one costs one AEAD call instead of one per line; anything that does not open is a
// miss, never an error.
import { createHash } from 'node:crypto';
import { encodeLengthPrefixed } from '../core/length-prefixed.js';
import { IETF_NONCE_BYTES, openLocal, sealLocal, TAG_BYTES } from './envelope.js';
import type { LineContext, SecretRecord } from './secret-line.js';

const MAGIC = 'git-kagi-scope-cache/2';
const DIGEST_BYTES = 32;
const magicBytes = new TextEncoder().encode(MAGIC);

/** SHA-256 of a store file's bytes (a string is taken as its UTF-8). */
export function digestStore(store: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(store).digest());
}

function associatedData(ctx: LineContext, digest: Uint8Array): Uint8Array {
  return encodeLengthPrefixed([MAGIC, ctx.projectId, ctx.scope, String(ctx.epoch), digest]);
}

/**
 * magic ‖ store digest ‖ the JSON of the records sealed with sealLocal, bound to project, scope,
 * epoch and digest.
 */
export function sealScopeCache(
  key: Uint8Array,
  ctx: LineContext,
  digest: Uint8Array,
  records: readonly SecretRecord[],
): Uint8Array {
  const rows = records.map((r) => [r.name, r.value, r.updated_at, r.updated_by]);
  const sealed = sealLocal(
    key,
    new TextEncoder().encode(JSON.stringify(rows)),
    associatedData(ctx, digest),
  );
  const out = new Uint8Array(magicBytes.length + DIGEST_BYTES + sealed.length);
  out.set(magicBytes, 0);
  out.set(digest, magicBytes.length);
  out.set(sealed, magicBytes.length + DIGEST_BYTES);
  return out;
}

/** The records, or null when the file is for another store, key, epoch or scope, or damaged. */
export function openScopeCache(
  key: Uint8Array,
  ctx: LineContext,
  digest: Uint8Array,
  file: Uint8Array,
): SecretRecord[] | null {
  const start = magicBytes.length + DIGEST_BYTES;
  if (file.length < start + IETF_NONCE_BYTES + TAG_BYTES) return null;
  if (!sameBytes(file.subarray(0, magicBytes.length), magicBytes)) return null;
  if (!sameBytes(file.subarray(magicBytes.length, start), digest)) return null;
  let rows: unknown;
  try {
    const plaintext = openLocal(key, file.subarray(start), associatedData(ctx, digest));
    rows = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  const records: SecretRecord[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 4 || !row.every((x) => typeof x === 'string'))
      return null;
    const [name, value, updated_at, updated_by] = row as string[];
    records.push({
      name: name as string,
      value: value as string,
      updated_at: updated_at as string,
      updated_by: updated_by as string,
    });
  }
  return records;
}

/** Not secret-dependent: the digest and magic are public (compared before any key is used). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
