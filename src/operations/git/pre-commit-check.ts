// The pre-commit checks of DESIGN §5, on what is staged (read through git, so GIT_INDEX_FILE and
// worktrees hold): plaintext env files, values of current secrets in added lines, and the
// consistency of staged .kagi/ files. Findings name files, lines and secret names, never values.
import path from 'node:path';
import { isPlaintextEnvFile } from '../../core/env-files.js';
import { formatScope, type Scope } from '../../core/scope.js';
import type { SecretRecord } from '../../crypto/secret-line.js';
import { KagiError } from '../../errors.js';
import { pathExists } from '../../io/atomic-file.js';
import { findRepository } from '../../io/git.js';
import {
  type AddedLine,
  listStagedChanges,
  readBlobs,
  readStagedDiff,
} from '../../io/git-objects.js';
import type { Runtime } from '../../runtime.js';
import { checkKagiFiles, type Problem } from '../project/check-kagi-files.js';
import { openProject } from '../project/open-project.js';
import { listScopes, type Project } from '../project/read-project.js';
import { openScopeReader, type ScopeReader } from '../project/read-scopes.js';
import { unlockProject } from '../project/unlock-project.js';

/** Values shorter than this are too common to report (`true`, `3000`). */
export const MIN_LEAK_LENGTH = 8;

export interface PreCommitReport {
  problems: Problem[];
  /** Checks that needed a key this device does not have. */
  skipped: string[];
}

export async function checkStagedChanges(rt: Runtime): Promise<PreCommitReport> {
  // git runs hooks from the top of the work tree: there, git starts reading the index before
  // anything else, and everything below runs while it does.
  const early = pathExists(path.join(rt.cwd, '.kagi', 'kagi.json'))
    ? readStagedDiff(rt.cwd, ['.kagi'])
    : null;
  early?.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  let project: Project;
  try {
    project = await openProject(rt);
  } catch (error) {
    // Not a git-kagi project (or not yet): only the plaintext env file check applies.
    if (error instanceof KagiError && error.code === 'no-project') return checkEnvFilesOnly(rt);
    throw error;
  }
  const root = project.repo.root;
  const diff = early ?? readStagedDiff(root, ['.kagi']);
  diff.catch(() => {});
  const unlock = await unlockProject(rt, project).then(
    (unlocked) => ({ unlocked, error: null }),
    (error: unknown) => ({ unlocked: null, error }),
  );
  // While git reads the index: the scopes this device has in its cache (cheap). The others are
  // decrypted only if lines were added outside .kagi/ (below).
  const reader = unlock.unlocked ? openScopeReader(project, unlock.unlocked) : null;
  const scopes = reader ? listScopes(project) : [];
  for (const scope of scopes) reader?.peek(scope);
  const { changes, added } = await diff;
  const staged = changes.filter((c) => c.status !== 'D').map((c) => c.path);
  const problems: Problem[] = staged.filter(isPlaintextEnvFile).map((file) => ({
    file,
    message: `${file} is a plaintext env file`,
    fix: `unstage it (git rm --cached -- '${file}'); keep its values with git kagi import --file '${file}'`,
  }));
  // Deleting a store is how `env del` works; without these two files nobody can read anything.
  for (const c of changes) {
    if (c.status === 'D' && (c.path === '.kagi/access.json' || c.path === '.kagi/kagi.json')) {
      problems.push({
        file: c.path,
        message: `${c.path} is staged for deletion: the project would become unreadable`,
        fix: `restore it (git restore --staged --worktree -- ${c.path}); to stop using git-kagi, remove all of .kagi/ on purpose with --no-verify`,
      });
    }
  }
  const skipped: string[] = [];
  const { unlocked, error } = unlock;
  if (error !== null) {
    if (!(error instanceof KagiError) || (error.exitCode !== 3 && error.exitCode !== 4))
      throw error;
    if (error.exitCode === 4)
      problems.push({
        file: '.kagi/access.json',
        message: error.message,
        ...(error.hint ? { fix: error.hint } : {}),
      });
    skipped.push('secret values in staged files', 'decryption of staged .kagi/ stores and seals');
  }

  const kagiStaged = staged.filter((p) => p.startsWith('.kagi/'));
  if (kagiStaged.length > 0) {
    const stores = kagiStaged.filter((p) => p.startsWith('.kagi/secrets/'));
    const blobs = await readBlobs(root, [
      ':.kagi/kagi.json',
      ':.kagi/access.json',
      ...stores.map((p) => `:${p}`),
    ]);
    problems.push(
      ...checkKagiFiles(
        {
          config: blobs.get(':.kagi/kagi.json') ?? null,
          access: blobs.get(':.kagi/access.json') ?? null,
          stores: stores.map((p) => ({ path: p, text: blobs.get(`:${p}`) ?? '' })),
        },
        unlocked?.keys ?? null,
      ),
    );
  }

  if (reader) problems.push(...(await findLeakedValues(reader, scopes, added)));
  return { problems, skipped };
}

async function checkEnvFilesOnly(rt: Runtime): Promise<PreCommitReport> {
  const repo = await findRepository(rt.cwd);
  const staged = (await listStagedChanges(repo.root))
    .filter((c) => c.status !== 'D')
    .map((c) => c.path);
  return {
    problems: staged.filter(isPlaintextEnvFile).map((file) => ({
      file,
      message: `${file} is a plaintext env file`,
      fix: `unstage it (git rm --cached -- '${file}')`,
    })),
    skipped: [],
  };
}

async function findLeakedValues(
  reader: ScopeReader,
  scopes: readonly Scope[],
  lines: readonly AddedLine[],
): Promise<Problem[]> {
  // Nothing added outside .kagi/ (a commit of secrets only): nothing to decrypt.
  if (lines.length === 0) return [];
  const secrets: Array<{ label: string; parts: string[] }> = [];
  let allRead = true;
  for (const scope of scopes) {
    let records: SecretRecord[];
    try {
      records = await reader.read(scope);
    } catch {
      allRead = false;
      continue; // reported by the .kagi/ checks when staged
    }
    for (const r of records) {
      if (r.value.length < MIN_LEAK_LENGTH) continue;
      // Multi-line values are matched line by line: each line of the value long enough to tell.
      // PEM armor lines (-----BEGIN …-----) are the same in every key and prove nothing.
      const parts = r.value.includes('\n')
        ? r.value
            .split('\n')
            .filter((p) => p.trim().length >= MIN_LEAK_LENGTH && !/^-----(BEGIN|END) /.test(p))
        : [r.value];
      secrets.push({ label: `${formatScope(scope)} ${r.name}`, parts });
    }
  }
  if (allRead) reader.saveCache();
  const problems: Problem[] = [];
  for (const added of lines) {
    for (const secret of secrets) {
      if (secret.parts.some((p) => added.text.includes(p))) {
        problems.push({
          file: added.file,
          message: `${added.file}:${added.line}: contains the value of ${secret.label}`,
          fix: 'read it from the environment instead (git kagi run); if it is intended, commit with --no-verify',
        });
      }
    }
  }
  return problems;
}
