// The store merge driver (DESIGN §5): line by line by tag with no key; decrypting only where both
// sides changed one secret, or where the sides are at different epochs (a branch made before a
// rotation), whose older lines are then re-encrypted to the newer key.
import { mergeByName, mergeByTag, type NamedRecord } from '../../core/merge-store.js';
import { formatScope, parseScopePath, type Scope } from '../../core/scope.js';
import {
  compareTags,
  formatStore,
  formatStoreHeader,
  parseStore,
  type StoreLine,
} from '../../core/store.js';
import { decryptSecret, encryptSecret, type SecretRecord } from '../../crypto/secret-line.js';
import { KagiError } from '../../errors.js';
import type { MergeKeys } from '../project/merge-keys.js';

export interface StoreMergeInput {
  /** Path of the store relative to the repository root. */
  path: string;
  projectId: string;
  base: string;
  ours: string;
  theirs: string;
}

export interface StoreMergeResult {
  text: string;
  /** Names (or, without a key, tags) changed two ways. */
  conflicts: string[];
  /** Why the key was needed and missing, when it was. */
  needsKey: string | null;
}

function scopeOf(path: string): Scope {
  const scope = parseScopePath(path.replace(/^\.kagi\/secrets\//, ''));
  if (!scope) throw new KagiError('not-a-store', `${path} is not a git-kagi store path`);
  return scope;
}

function parseOrEmpty(text: string, scopeName: string, where: string): StoreLine[] {
  try {
    return parseStore(text, scopeName, where);
  } catch {
    // A virtual merge base of a recursive merge can hold conflict markers: treat it as empty.
    return [];
  }
}

function renderConflicts(
  scopeName: string,
  lines: StoreLine[],
  conflicts: Array<{ key: string; ours?: StoreLine; theirs?: StoreLine }>,
): string {
  const rows = lines.map((l) => ({ key: l.tag, text: `${l.tag} ${l.epoch} ${l.payload}\n` }));
  for (const c of conflicts) {
    const ours = c.ours ? `${c.ours.tag} ${c.ours.epoch} ${c.ours.payload}\n` : '';
    const theirs = c.theirs ? `${c.theirs.tag} ${c.theirs.epoch} ${c.theirs.payload}\n` : '';
    rows.push({
      key: c.ours?.tag ?? c.theirs?.tag ?? c.key,
      text: `<<<<<<< ours\n${ours}=======\n${theirs}>>>>>>> theirs\n`,
    });
  }
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return `${formatStoreHeader(scopeName)}\n${rows.map((r) => r.text).join('')}`;
}

export function mergeStoreTexts(input: StoreMergeInput, keys: MergeKeys | null): StoreMergeResult {
  const scope = scopeOf(input.path);
  const scopeName = formatScope(scope);
  const ours = parseStore(input.ours, scopeName, `${input.path} (ours)`);
  const theirs = parseStore(input.theirs, scopeName, `${input.path} (theirs)`);
  const base = parseOrEmpty(input.base, scopeName, `${input.path} (base)`);
  const epochs = new Set([...ours, ...theirs].map((l) => l.epoch));
  const baseComparable = base.every((l) => epochs.size === 1 && epochs.has(l.epoch));

  if (epochs.size <= 1 && baseComparable) {
    const merged = mergeByTag(base, ours, theirs);
    if (merged.conflicts.length === 0)
      return { text: formatStore(scopeName, merged.lines), conflicts: [], needsKey: null };
    if (!keys) {
      return {
        text: renderConflicts(
          scopeName,
          merged.lines,
          merged.conflicts.map((c) => ({ key: c.tag, ...pick(c) })),
        ),
        conflicts: merged.conflicts.map((c) => c.tag),
        needsKey: 'the same secret changed on both sides; comparing the values needs the key',
      };
    }
  } else if (!keys) {
    const body = (text: string) => text.slice(text.indexOf('\n') + 1);
    return {
      text: `${formatStoreHeader(scopeName)}\n<<<<<<< ours\n${body(input.ours)}=======\n${body(input.theirs)}>>>>>>> theirs\n`,
      conflicts: ['*'],
      needsKey:
        'the two sides are at different key epochs (a branch made before a rotation); merging needs the key',
    };
  }
  return mergeDecrypted(input, keys as MergeKeys);
}

function pick(c: { ours: StoreLine | undefined; theirs: StoreLine | undefined }) {
  return { ...(c.ours ? { ours: c.ours } : {}), ...(c.theirs ? { theirs: c.theirs } : {}) };
}

export interface Decrypted {
  record: SecretRecord;
  line: StoreLine;
}

export interface DecryptedMerge {
  scopeName: string;
  /** Lines that merged, at the target epoch, sorted. */
  lines: StoreLine[];
  conflicts: Array<{ name: string; ours: Decrypted | undefined; theirs: Decrypted | undefined }>;
  /** A side's line at the target epoch (re-encrypted when it came from an older one). */
  toTarget(d: Decrypted): StoreLine;
  /** A new line for a value typed while resolving. */
  encrypt(record: SecretRecord): StoreLine;
}

/** The merge by name on decrypted records: what the driver does with a key, and what resolve uses. */
export function planDecryptedMerge(input: StoreMergeInput, keys: MergeKeys): DecryptedMerge {
  const scope = scopeOf(input.path);
  const scopeName = formatScope(scope);
  const ours = parseStore(input.ours, scopeName, `${input.path} (ours)`);
  const theirs = parseStore(input.theirs, scopeName, `${input.path} (theirs)`);
  const base = parseOrEmpty(input.base, scopeName, `${input.path} (base)`);
  const target = Math.max(...[...ours, ...theirs].map((l) => l.epoch), 0) || keys.access.epoch;
  const targetKeys = keys.forEpoch(target);
  if (!targetKeys) {
    throw new KagiError(
      'merge-no-key',
      `${input.path}: no key for epoch ${target} on this device`,
      {
        hint: 'pull the latest .kagi/access.json (or ask to be re-approved), then `git kagi resolve`',
      },
    );
  }
  const decryptAll = (lines: StoreLine[], side: string, lenient: boolean) => {
    const out = new Map<string, NamedRecord<Decrypted>>();
    for (const line of lines) {
      const epochKeys = keys.forEpoch(line.epoch);
      try {
        if (!epochKeys) throw new KagiError('merge-no-key', `no key for epoch ${line.epoch}`);
        const ctx = { projectId: input.projectId, scope: scopeName, epoch: line.epoch };
        const record = decryptSecret(
          epochKeys.env(scope.env),
          ctx,
          line,
          `${input.path} (${side})`,
        );
        out.set(record.name, { value: record.value, item: { record, line } });
      } catch (error) {
        if (!lenient) throw error;
      }
    }
    return out;
  };
  const merged = mergeByName(
    decryptAll(base, 'base', true),
    decryptAll(ours, 'ours', false),
    decryptAll(theirs, 'theirs', false),
  );
  const ctx = { projectId: input.projectId, scope: scopeName, epoch: target };
  const envKeys = targetKeys.env(scope.env);
  const encrypt = (record: SecretRecord) => encryptSecret(envKeys, ctx, record);
  const toTarget = (d: Decrypted): StoreLine =>
    d.line.epoch === target ? d.line : encrypt(d.record);
  const lines = merged.chosen.map((c) => toTarget(c.item)).sort(compareTags);
  return { scopeName, lines, conflicts: merged.conflicts, toTarget, encrypt };
}

function mergeDecrypted(input: StoreMergeInput, keys: MergeKeys): StoreMergeResult {
  const plan = planDecryptedMerge(input, keys);
  if (plan.conflicts.length === 0) {
    return { text: formatStore(plan.scopeName, plan.lines), conflicts: [], needsKey: null };
  }
  return {
    text: renderConflicts(
      plan.scopeName,
      plan.lines,
      plan.conflicts.map((c) => ({
        key: c.name,
        ...(c.ours ? { ours: plan.toTarget(c.ours) } : {}),
        ...(c.theirs ? { theirs: plan.toTarget(c.theirs) } : {}),
      })),
    ),
    conflicts: plan.conflicts.map((c) => c.name),
    needsKey: null,
  };
}
