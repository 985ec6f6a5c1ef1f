import path from 'node:path';
import { formatScope, parseScopePath } from '../../core/scope.js';
import { parseStore } from '../../core/store.js';
import { KagiError } from '../../errors.js';
import type { Repository } from '../../io/git.js';
import { journalPath, readJournal } from '../../io/journal.js';
import type { Runtime } from '../../runtime.js';
import { checkKagiFiles, type KagiFiles, type Problem } from '../project/check-kagi-files.js';
import { type KeyState, readWorkTreeKagi, tryUnlock } from '../project/work-tree-kagi.js';

export interface VerifyReport {
  problems: Problem[];
  key: KeyState;
  epoch: number | null;
  stores: number;
  secrets: number;
  members: number;
}

export async function verifyProject(rt: Runtime): Promise<VerifyReport> {
  const tree = await readWorkTreeKagi(rt);
  const key = await tryUnlock(rt, tree.project);
  const problems: Problem[] = [];
  if (key.kind === 'integrity') {
    problems.push({
      file: '.kagi/access.json',
      message: key.error.message,
      ...(key.error.hint ? { fix: key.error.hint } : {}),
    });
  }
  problems.push(...checkKagiFiles(tree.files, key.kind === 'unlocked' ? key.unlocked.keys : null));
  const pending = await findPendingRotation(tree.repo);
  if (pending) problems.push(pending);
  return {
    problems,
    key,
    epoch: tree.project?.access.epoch ?? null,
    stores: tree.files.stores.length,
    secrets: countSecrets(tree.files),
    members: tree.project?.access.members.filter((m) => m.status === 'active').length ?? 0,
  };
}

/** A rotation journal left in the git dir (DESIGN §4): the next command that opens the project finishes it. */
export async function findPendingRotation(repo: Repository): Promise<Problem | null> {
  const file = path.relative(repo.root, journalPath(repo.gitDir)) || journalPath(repo.gitDir);
  try {
    const journal = await readJournal(repo.gitDir);
    if (!journal) return null;
    return {
      file,
      message: `an interrupted key rotation (epoch ${journal.from_epoch} → ${journal.epoch}) is pending in ${file}`,
      fix: '`git kagi doctor --fix` finishes it, as does the next git kagi command that opens the project (get, set, run…)',
    };
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    return { file, message: error.message, ...(error.hint ? { fix: error.hint } : {}) };
  }
}

function countSecrets(files: KagiFiles): number {
  let count = 0;
  for (const store of files.stores) {
    const scope = parseScopePath(store.path.replace(/^\.kagi\/secrets\//, ''));
    if (!scope) continue;
    try {
      count += parseStore(store.text, formatScope(scope), store.path).length;
    } catch {}
  }
  return count;
}
