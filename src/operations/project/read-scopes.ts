// Reading many scopes in one command (`get`, `run`, the pre-commit check) through the device's
// cache of decrypted scopes (DESIGN.md §3): a store this device decrypted before is found in one
// sealed file per project instead of opening every line. The file is written by `saveCache()`,
// which a command calls once everything it read decrypted: a command that fails leaves no file
// changed.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { formatScope, parseScopePath, type Scope } from '../../core/scope.js';
import { equalBytes } from '../../crypto/keys.js';
import {
  type CachedScope,
  decodeRecords,
  digestStore,
  encodeRecords,
  openScopeCache,
  sealScopeCache,
} from '../../crypto/scope-cache.js';
import type { SecretRecord } from '../../crypto/secret-line.js';
import { readBytesOrNull, readFileIfExists, replaceDisposableFile } from '../../io/atomic-file.js';
import { type Project, storePath } from './read-project.js';
import { decryptStoreText } from './stores.js';
import type { Unlocked } from './unlock-project.js';

export interface ScopeReader {
  /** The records of a scope sorted by name (each scope is read once per reader). */
  read(scope: Scope): Promise<SecretRecord[]>;
  /**
   * Reads a scope now if the cache holds its store as it is (cheap); a later read() then returns
   * it. A scope that would need decrypting is left to read().
   */
  peek(scope: Scope): void;
  /** Writes the cache when a scope had to be decrypted line by line (or was deleted). */
  saveCache(): void;
}

const CACHE_FILE = 'scopes.bin';

export function openScopeReader(project: Project, unlocked: Unlocked): ScopeReader {
  const key = unlocked.keys.scopeCache;
  const ctx = { projectId: project.config.project_id, epoch: project.access.epoch };
  const folder = path.join(project.repo.gitDir, 'kagi', 'cache');
  const file = path.join(folder, CACHE_FILE);
  const read = new Map<string, Promise<SecretRecord[]>>();
  let cache: Map<string, CachedScope> | null = null;
  let changed = false;

  /** The file is opened on the first read that needs it, once. */
  const cached = () => {
    if (cache === null) {
      const bytes = readBytesOrNull(file);
      cache = bytes ? openScopeCache(key, ctx, bytes) : new Map();
    }
    return cache;
  };

  /** The records if the cache holds this store as it is, else the store's bytes and digest. */
  function lookup(
    name: string,
    scope: Scope,
  ): SecretRecord[] | { store: Buffer; digest: Uint8Array } {
    // A hit needs only the store's digest: it is decoded as text for a miss alone.
    const store = readFileIfExists(storePath(project, scope));
    if (store === null) {
      changed = cached().delete(name) || changed;
      return [];
    }
    const digest = digestStore(store);
    const entry = cached().get(name);
    const hit = entry && equalBytes(entry.digest, digest) ? decodeRecords(entry.records) : null;
    return hit ?? { store, digest };
  }

  async function decrypt(name: string, scope: Scope): Promise<SecretRecord[]> {
    const found = lookup(name, scope);
    if (Array.isArray(found)) return found;
    const records = decryptStoreText(project, unlocked, scope, found.store.toString('utf8'));
    cached().set(name, { digest: found.digest, records: encodeRecords(records) });
    changed = true;
    return records;
  }

  return {
    read(scope) {
      const name = formatScope(scope);
      let records = read.get(name);
      if (!records) {
        records = decrypt(name, scope);
        read.set(name, records);
      }
      return records;
    },
    peek(scope) {
      const name = formatScope(scope);
      if (read.has(name)) return;
      try {
        const found = lookup(name, scope);
        if (Array.isArray(found)) read.set(name, Promise.resolve(found));
      } catch {
        // read() meets the same failure and reports it
      }
    },
    saveCache() {
      if (!changed || cache === null) return;
      // Scopes deleted since they were cached would otherwise stay in the file for good.
      for (const name of cache.keys()) {
        const scope = parseScopePath(`${name}.enc`);
        if (!scope || !existsSync(storePath(project, scope))) cache.delete(name);
      }
      replaceDisposableFile(file, sealScopeCache(key, ctx, cache));
      removeOldCacheFiles(folder);
      changed = false;
    },
  };
}

/** Files of the earlier one-file-per-scope cache, which nothing reads any more. */
function removeOldCacheFiles(folder: string): void {
  try {
    for (const name of readdirSync(folder)) {
      if (name !== CACHE_FILE && !name.startsWith(`.${CACHE_FILE}.`)) {
        rmSync(path.join(folder, name), { recursive: true, force: true });
      }
    }
  } catch {
    // best effort, like the cache itself
  }
}
