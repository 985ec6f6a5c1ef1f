// Reading many scopes in one command (`get`, `run`, the pre-commit check) through the device's
// cache of decrypted scopes (DESIGN.md §3): a store this device decrypted before opens with one
// AEAD call instead of one per line. New cache entries are written by `saveCache()`, which a
// command calls once everything it read decrypted: a command that fails leaves no file changed.
import path from 'node:path';
import { formatScope, type Scope } from '../core/scope.js';
import { digestStore, openScopeCache, sealScopeCache } from '../crypto/scope-cache.js';
import type { SecretRecord } from '../crypto/secret-line.js';
import { readBytesOrNull, readFileIfExists, replaceDisposableFile } from '../io/atomic-file.js';
import { type Project, storePath } from './project.js';
import { decryptStoreText, lineContext } from './stores.js';
import type { Unlocked } from './unlock-project.js';

export interface ScopeReader {
  /** The records of a scope sorted by name (each scope is read once per reader). */
  read(scope: Scope): Promise<SecretRecord[]>;
  /** Writes the cache entries of the scopes that had to be decrypted line by line. */
  saveCache(): void;
}

/** Where this device caches the decrypted records of a scope. */
function scopeCachePath(project: Project, scope: Scope): string {
  return path.join(project.repo.gitDir, 'kagi', 'cache', `${formatScope(scope)}.bin`);
}

export function openScopeReader(project: Project, unlocked: Unlocked): ScopeReader {
  const key = unlocked.keys.scopeCache;
  const read = new Map<string, Promise<SecretRecord[]>>();
  const unsaved = new Map<string, Uint8Array>();

  async function decrypt(scope: Scope): Promise<SecretRecord[]> {
    // A hit needs only the store's digest: it is decoded as text for a miss alone.
    const store = readFileIfExists(storePath(project, scope));
    if (store === null) return [];
    const ctx = lineContext(project, scope);
    const digest = digestStore(store);
    const file = scopeCachePath(project, scope);
    const cache = readBytesOrNull(file);
    const cached = cache && openScopeCache(key, ctx, digest, cache);
    if (cached) return cached;
    const records = decryptStoreText(project, unlocked, scope, store.toString('utf8'));
    unsaved.set(file, sealScopeCache(key, ctx, digest, records));
    return records;
  }

  return {
    read(scope) {
      const name = formatScope(scope);
      let records = read.get(name);
      if (!records) {
        records = decrypt(scope);
        read.set(name, records);
      }
      return records;
    },
    saveCache() {
      for (const [file, bytes] of unsaved) replaceDisposableFile(file, bytes);
      unsaved.clear();
    },
  };
}
