// `git kagi diff [<rev> [<rev>]]`: which secrets were added, changed or removed per scope between
// two states (commits or the work tree). Names only, never values: values are compared decrypted
// (any epoch, through the key history) and, without a key, lines are compared by tag.
import path from 'node:path';
import { type AccessFile, parseAccess } from '../../core/access.js';
import { formatScope, parseScopePath } from '../../core/scope.js';
import { parseStore, type StoreLine } from '../../core/store.js';
import { decryptSecret } from '../../crypto/secret-line.js';
import { KagiError } from '../../errors.js';
import { readTextOrNull } from '../../io/atomic-file.js';
import { findRepository, runGit } from '../../io/git.js';
import { listFiles, readBlobs } from '../../io/git-objects.js';
import type { Runtime } from '../../runtime.js';
import { findMergeKeys, type MergeKeys } from '../project/merge-keys.js';
import { readProject } from '../project/read-project.js';
import { listFilesBelow } from '../project/work-tree-kagi.js';

export const WORK_TREE = 'work tree';

export interface ScopeDiff {
  scope: string;
  /** `added`/`removed`: the store exists on one side only. */
  status: 'added' | 'removed' | 'changed';
  /** Secret names, or `tag:<tag>` when the name cannot be decrypted here. */
  added: string[];
  changed: string[];
  removed: string[];
  /** Why this scope's changes could not be listed (malformed store, re-encrypted without a key). */
  note: string | null;
}

export interface SecretDiff {
  from: string;
  to: string;
  /** Some lines were compared by tag: no key on this device for them. */
  names_hidden: boolean;
  scopes: ScopeDiff[];
}

interface Side {
  label: string;
  access: AccessFile | null;
  /** Store text by scope name. */
  stores: Map<string, string>;
}

export async function diffSecrets(rt: Runtime, revs: readonly string[]): Promise<SecretDiff> {
  if (revs.length > 2) {
    throw new KagiError('usage', 'git kagi diff takes at most two revisions', {
      hint: 'git kagi diff [<rev> [<rev>]]',
    });
  }
  const repo = await findRepository(rt.cwd);
  const fromRev = revs[0] ?? 'HEAD';
  const from = await readRevSide(repo.root, fromRev);
  const to =
    revs[1] === undefined
      ? await readWorkTreeSide(repo.root)
      : await readRevSide(repo.root, revs[1]);
  const keys = await findKeys(rt, [from.access, to.access]);
  const names = new Set([...from.stores.keys(), ...to.stores.keys()]);
  const scopes: ScopeDiff[] = [];
  let hidden = false;
  for (const scope of [...names].sort()) {
    const diff = diffScope(scope, from, to, keys);
    if (diff.hidden) hidden = true;
    const { result } = diff;
    if (result.added.length + result.changed.length + result.removed.length > 0 || result.note)
      scopes.push(result);
  }
  return { from: from.label, to: to.label, names_hidden: hidden, scopes };
}

async function resolveRevision(root: string, rev: string): Promise<string> {
  const result = await runGit(
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
    root,
    true,
  );
  const commit = result.stdout.trim();
  if (result.code !== 0 || !commit) {
    throw new KagiError('bad-revision', `unknown revision '${rev}'`, {
      hint: 'name a commit, branch or tag (`git log --oneline` lists them)',
    });
  }
  return commit;
}

async function readRevSide(root: string, rev: string): Promise<Side> {
  const commit = await resolveRevision(root, rev);
  const paths = await listFiles(root, commit, '.kagi/secrets');
  const blobs = await readBlobs(root, [
    `${commit}:.kagi/access.json`,
    ...paths.map((p) => `${commit}:${p}`),
  ]);
  const stores = new Map<string, string>();
  for (const p of paths) {
    const scope = parseScopePath(p.replace(/^\.kagi\/secrets\//, ''));
    const text = blobs.get(`${commit}:${p}`);
    if (scope && typeof text === 'string') stores.set(formatScope(scope), text);
  }
  return {
    label: rev,
    access: parseAccessOrNull(blobs.get(`${commit}:.kagi/access.json`)),
    stores,
  };
}

async function readWorkTreeSide(root: string): Promise<Side> {
  const kagiDir = path.join(root, '.kagi');
  const stores = new Map<string, string>();
  for (const relative of await listFilesBelow(path.join(kagiDir, 'secrets'))) {
    const scope = parseScopePath(relative);
    const text = await readTextOrNull(path.join(kagiDir, 'secrets', relative));
    if (scope && text !== null) stores.set(formatScope(scope), text);
  }
  const access = parseAccessOrNull(await readTextOrNull(path.join(kagiDir, 'access.json')));
  return { label: WORK_TREE, access, stores };
}

function parseAccessOrNull(text: string | null | undefined): AccessFile | null {
  if (typeof text !== 'string') return null;
  try {
    return parseAccess(text);
  } catch {
    return null;
  }
}

/** The keys of the highest epoch this device unlocks among both sides and the work tree. */
async function findKeys(
  rt: Runtime,
  sides: ReadonlyArray<AccessFile | null>,
): Promise<MergeKeys | null> {
  const project = await readProject(rt).catch(() => null);
  if (!project) return null;
  const extra = sides.filter(
    (a): a is AccessFile => a !== null && a.project_id === project.access.project_id,
  );
  return findMergeKeys(rt, project, extra).catch((error) => {
    if (error instanceof KagiError) return null;
    throw error;
  });
}

type Parsed = { lines: StoreLine[] } | { error: string };

function parseSide(side: Side, scope: string): Parsed | null {
  const text = side.stores.get(scope);
  if (text === undefined) return null;
  try {
    return { lines: parseStore(text, scope, `${scope} at ${side.label}`) };
  } catch {
    return { error: `the store at ${side.label} is malformed (run \`git kagi verify\`)` };
  }
}

/** Name → value of every line, or null when any line cannot be decrypted here. */
function decryptLines(
  scope: string,
  lines: readonly StoreLine[],
  keys: MergeKeys | null,
): Map<string, string> | null {
  if (!keys) return null;
  const env = scope.slice(scope.lastIndexOf('/') + 1);
  const out = new Map<string, string>();
  for (const line of lines) {
    const epochKeys = keys.forEpoch(line.epoch);
    if (!epochKeys) return null;
    try {
      const record = decryptSecret(
        epochKeys.env(env),
        { projectId: keys.access.project_id, scope, epoch: line.epoch },
        line,
        scope,
      );
      out.set(record.name, record.value);
    } catch {
      return null;
    }
  }
  return out;
}

function compareMaps(before: Map<string, string>, after: Map<string, string>) {
  const sorted = (names: Iterable<string>) => [...names].sort();
  return {
    added: sorted([...after.keys()].filter((n) => !before.has(n))),
    changed: sorted(
      [...after.keys()].filter((n) => before.has(n) && before.get(n) !== after.get(n)),
    ),
    removed: sorted([...before.keys()].filter((n) => !after.has(n))),
  };
}

function diffScope(
  scope: string,
  from: Side,
  to: Side,
  keys: MergeKeys | null,
): { result: ScopeDiff; hidden: boolean } {
  const a = parseSide(from, scope);
  const b = parseSide(to, scope);
  const status = a === null ? 'added' : b === null ? 'removed' : 'changed';
  const result: ScopeDiff = { scope, status, added: [], changed: [], removed: [], note: null };
  if ((a && 'error' in a) || (b && 'error' in b)) {
    result.note = ((a && 'error' in a ? a : b) as { error: string }).error;
    return { result, hidden: false };
  }
  const before = (a as { lines: StoreLine[] } | null)?.lines ?? [];
  const after = (b as { lines: StoreLine[] } | null)?.lines ?? [];
  const plainBefore = decryptLines(scope, before, keys);
  const plainAfter = decryptLines(scope, after, keys);
  if (plainBefore && plainAfter) {
    Object.assign(result, compareMaps(plainBefore, plainAfter));
    return { result, hidden: false };
  }
  // Without a key, tags stand for names; they only compare within one epoch (a rotation changes
  // every tag and every payload).
  const epochs = new Set([...before, ...after].map((l) => l.epoch));
  if (epochs.size > 1) {
    result.note = `re-encrypted (key epoch ${[...epochs].sort((x, y) => x - y).join(' → ')}): which secrets changed cannot be shown without the key`;
    return { result, hidden: true };
  }
  const byTag = (lines: readonly StoreLine[]) =>
    new Map(lines.map((l) => [`tag:${l.tag}`, l.payload]));
  Object.assign(result, compareMaps(byTag(before), byTag(after)));
  return { result, hidden: true };
}
