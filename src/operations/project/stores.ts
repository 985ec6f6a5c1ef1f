// Reading and changing the secrets of one scope: decrypt what is asked for, rewrite only the lines
// that change (DESIGN §2), under the write lock, with the store written atomically.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAccess } from '../../core/access.js';
import { formatScope, formatScopePath, type Scope } from '../../core/scope.js';
import { editStore, parseStore } from '../../core/store.js';
import {
  computeTag,
  decryptSecret,
  encryptSecret,
  type LineContext,
  type SecretRecord,
} from '../../crypto/secret-line.js';
import {
  pathExists,
  readFileIfExists,
  readTextOrNull,
  writeFileAtomic,
} from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { type Project, readProject, storePath } from './read-project.js';
import { assertWritable, type Unlocked, unlockProject } from './unlock-project.js';

export function lineContext(project: Project, scope: Scope): LineContext {
  return {
    projectId: project.config.project_id,
    scope: formatScope(scope),
    epoch: project.access.epoch,
  };
}

/** The records of a scope, sorted by name; every line is checked (DESIGN §2). */
export async function decryptScope(
  project: Project,
  unlocked: Unlocked,
  scope: Scope,
): Promise<SecretRecord[]> {
  const text = await readTextOrNull(storePath(project, scope));
  return text === null ? [] : decryptStoreText(project, unlocked, scope, text);
}

export function decryptStoreText(
  project: Project,
  unlocked: Unlocked,
  scope: Scope,
  text: string,
): SecretRecord[] {
  const ctx = lineContext(project, scope);
  const keys = unlocked.keys.env(scope.env);
  const where = `.kagi/${formatScopePath(scope)}`;
  return parseStore(text, ctx.scope, where)
    .map((line) => decryptSecret(keys, ctx, line, where))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface SecretChanges {
  set?: ReadonlyArray<{ name: string; value: string }>;
  unset?: ReadonlyArray<string>;
  /** When false, names that already exist are left as they are (sync). */
  overwrite?: boolean;
}

export interface ChangeReport {
  added: string[];
  changed: string[];
  unchanged: string[];
  removed: string[];
  missing: string[];
}

export function describeAuthor(unlocked: Unlocked): string {
  return unlocked.member?.id ?? unlocked.source.kind;
}

/** Applies changes to one scope under the lock; creates the store if it does not exist yet. */
export async function changeScope(
  rt: Runtime,
  project: Project,
  unlocked: Unlocked,
  scope: Scope,
  changes: SecretChanges,
): Promise<ChangeReport> {
  assertWritable(unlocked);
  return withLock(project.repo.gitDir, async () => {
    // Another writer may have rotated the key while we waited for the lock: unlock the new state
    // (the lock is ours, so it cannot change again) and write under the new key.
    const current = parseAccess(readFileSync(path.join(project.kagiDir, 'access.json'), 'utf8'));
    if (current.key_id !== project.access.key_id) {
      project = await readProject(rt);
      unlocked = await unlockProject(rt, project);
      assertWritable(unlocked);
    }
    const ctx = lineContext(project, scope);
    const keys = unlocked.keys.env(scope.env);
    const where = `.kagi/${formatScopePath(scope)}`;
    // Changed lines are spliced into the store by tag: one `set` in 10,000 lines or an import
    // of 10,000 names both stay linear.
    const file = storePath(project, scope);
    const store = editStore(readFileIfExists(file), ctx.scope, where);
    const report: ChangeReport = {
      added: [],
      changed: [],
      unchanged: [],
      removed: [],
      missing: [],
    };
    const now = rt.now().toISOString();
    const author = describeAuthor(unlocked);
    for (const { name, value } of changes.set ?? []) {
      const tag = computeTag(keys.tag, ctx.scope, name);
      const existing = store.get(tag);
      if (existing) {
        const old = decryptSecret(keys, ctx, existing, where);
        if (old.value === value || changes.overwrite === false) {
          report.unchanged.push(name);
          continue;
        }
        report.changed.push(name);
      } else {
        report.added.push(name);
      }
      store.set(encryptSecret(keys, ctx, { name, value, updated_at: now, updated_by: author }));
    }
    for (const name of changes.unset ?? []) {
      if (store.delete(computeTag(keys.tag, ctx.scope, name))) report.removed.push(name);
      else report.missing.push(name);
    }
    const touched = report.added.length + report.changed.length + report.removed.length > 0;
    if (touched || !pathExists(file)) await writeFileAtomic(file, store.format());
    return report;
  });
}
