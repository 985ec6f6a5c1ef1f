// The device's cache of decrypted scopes (DESIGN.md §3; bench cases 1, 3 and 4, case 12 cold): one
// file per project in the git dir that holds, for each scope read before, the digest of its store
// and its records, all sealed at once under the project's cache key and epoch. A listing of every
// scope opens it with one read and one AEAD call, then parses only the scopes it asks for; anything
// that does not open is a miss (an empty cache), never an error.
import { createHash } from 'node:crypto';
import { decodeLengthPrefixed, encodeLengthPrefixed } from '../core/length-prefixed.js';
import { openLocal, sealLocal } from './envelope.js';
import { equalBytes } from './keys.js';
import type { SecretRecord } from './secret-line.js';

const MAGIC = 'git-kagi-scope-cache/3';
const magicBytes = Buffer.from(MAGIC);

/** A scope as cached: the digest of the store it was read from and its records' JSON. */
export interface CachedScope {
  digest: Uint8Array;
  records: Uint8Array;
}

/** Where a cache is valid: the project and the key epoch it was sealed under. */
export interface CacheContext {
  projectId: string;
  epoch: number;
}

/** SHA-256 of a store file's bytes (a string is taken as its UTF-8). */
export function digestStore(store: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(store).digest());
}

function associatedData(ctx: CacheContext): Uint8Array {
  return encodeLengthPrefixed([MAGIC, ctx.projectId, String(ctx.epoch)]);
}

/** magic ‖ sealLocal(scope ‖ digest ‖ records ‖ scope ‖ …), bound to the project and epoch. */
export function sealScopeCache(
  key: Uint8Array,
  ctx: CacheContext,
  scopes: ReadonlyMap<string, CachedScope>,
): Uint8Array {
  const parts: Array<string | Uint8Array> = [];
  for (const [scope, { digest, records }] of scopes) parts.push(scope, digest, records);
  const sealed = sealLocal(key, encodeLengthPrefixed(parts), associatedData(ctx));
  const out = new Uint8Array(magicBytes.length + sealed.length);
  out.set(magicBytes, 0);
  out.set(sealed, magicBytes.length);
  return out;
}

/** The cached scopes by name; empty when the file is for another key, project or epoch, or damaged. */
export function openScopeCache(
  key: Uint8Array,
  ctx: CacheContext,
  file: Uint8Array,
): Map<string, CachedScope> {
  const scopes = new Map<string, CachedScope>();
  if (!equalBytes(file.subarray(0, magicBytes.length), magicBytes)) return scopes;
  let parts: Uint8Array[] | null;
  try {
    parts = decodeLengthPrefixed(
      openLocal(key, file.subarray(magicBytes.length), associatedData(ctx)),
    );
  } catch {
    return scopes;
  }
  if (parts === null || parts.length % 3 !== 0) return scopes;
  for (let i = 0; i < parts.length; i += 3) {
    const scope = parts[i] as Uint8Array;
    const digest = parts[i + 1] as Uint8Array;
    const records = parts[i + 2] as Uint8Array;
    scopes.set(Buffer.from(scope).toString('utf8'), { digest, records });
  }
  return scopes;
}

export function encodeRecords(records: readonly SecretRecord[]): Uint8Array {
  const rows = records.map((r) => [r.name, r.value, r.updated_at, r.updated_by]);
  return Buffer.from(JSON.stringify(rows));
}

/**
 * The records of a cached scope, or null if they are not what encodeRecords writes. Its bytes
 * passed the cache's AEAD, so they are encodeRecords' UTF-8: decoded without a TextDecoder,
 * which costs 0.15 ms to build on every start.
 */
export function decodeRecords(bytes: Uint8Array): SecretRecord[] | null {
  let rows: unknown;
  try {
    rows = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  const records: SecretRecord[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (!Array.isArray(row) || row.length !== 4) return null;
    // Indexed, not destructured: array destructuring runs the iterator protocol, slow while cold.
    const name: unknown = row[0];
    const value: unknown = row[1];
    const updated_at: unknown = row[2];
    const updated_by: unknown = row[3];
    if (
      typeof name !== 'string' ||
      typeof value !== 'string' ||
      typeof updated_at !== 'string' ||
      typeof updated_by !== 'string'
    )
      return null;
    records.push({ name, value, updated_at, updated_by });
  }
  return records;
}
