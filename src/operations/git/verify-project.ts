// `git kagi verify` (DESIGN §5): the consistency of the work tree's .kagi/, for CI and for merges
// made where no driver ran. Reads only: no repository file changes (a device key may write its
// pin in $KAGI_HOME). Without a key it checks structure; with one it decrypts every line.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type AccessFile, parseAccess } from '../../core/access.js';
import { type KagiConfig, parseKagiConfig } from '../../core/kagi-config.js';
import { formatScope, parseScopePath } from '../../core/scope.js';
import { parseStore } from '../../core/store.js';
import { EXIT, KagiError } from '../../errors.js';
import { readTextOrNull } from '../../io/atomic-file.js';
import { findRepository, type Repository } from '../../io/git.js';
import { journalPath, readJournal } from '../../io/journal.js';
import type { Runtime } from '../../runtime.js';
import { checkKagiFiles, type KagiFiles, type Problem } from '../project/check-kagi-files.js';
import type { Project } from '../project/read-project.js';
import { type Unlocked, unlockProject } from '../project/unlock-project.js';

export interface WorkTreeKagi {
  repo: Repository;
  kagiDir: string;
  files: KagiFiles;
  /** Parsed when kagi.json and access.json parse and name the same project; else null. */
  project: Project | null;
}

export const KEY_VARIABLES = [
  'KAGI_PROJECT_KEY',
  'KAGI_PROJECT_KEY_FILE',
  'KAGI_IDENTITY',
  'KAGI_IDENTITY_FILE',
] as const;

/** The KAGI_* key source the environment names, if any (a failure of it is not "no key"). */
export function findKeyVariable(rt: Runtime): string | null {
  return KEY_VARIABLES.find((name) => rt.env[name]) ?? null;
}

/** Every file below `folder`, relative to it with `/`, sorted; none when it does not exist. */
export async function listFilesBelow(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative);
      else out.push(relative);
    }
  };
  await walk(folder, '');
  return out.sort();
}

/** Reads kagi.json, access.json and every file under .kagi/secrets of the work tree, as they are. */
export async function readWorkTreeKagi(rt: Runtime): Promise<WorkTreeKagi> {
  const repo = await findRepository(rt.cwd);
  const kagiDir = path.join(repo.root, '.kagi');
  const [config, access] = await Promise.all([
    readTextOrNull(path.join(kagiDir, 'kagi.json')),
    readTextOrNull(path.join(kagiDir, 'access.json')),
  ]);
  const present = await fs.stat(kagiDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!present || (config === null && access === null)) {
    throw new KagiError('no-project', `no git-kagi project in ${repo.root}`, {
      hint: 'run `git kagi init` to create one',
    });
  }
  const stores: Array<{ path: string; text: string }> = [];
  for (const relative of await listFilesBelow(path.join(kagiDir, 'secrets'))) {
    const text = await fs.readFile(path.join(kagiDir, 'secrets', relative), 'utf8');
    stores.push({ path: `.kagi/secrets/${relative}`, text });
  }
  const files: KagiFiles = { config, access, stores };
  return { repo, kagiDir, files, project: parseProject(repo, kagiDir, config, access) };
}

function parseProject(
  repo: Repository,
  kagiDir: string,
  configText: string | null,
  accessText: string | null,
): Project | null {
  if (configText === null || accessText === null) return null;
  let config: KagiConfig;
  let access: AccessFile;
  try {
    config = parseKagiConfig(configText);
    access = parseAccess(accessText);
  } catch (error) {
    if (error instanceof KagiError) return null;
    throw error;
  }
  return config.project_id === access.project_id ? { repo, kagiDir, config, access } : null;
}

export type KeyState =
  | { kind: 'unlocked'; unlocked: Unlocked }
  /** No key: structure only. `explicit` names a KAGI_* variable that was set but did not unlock. */
  | { kind: 'none'; error: KagiError | null; explicit: string | null }
  /** Unlocking found tampering (a substituted key, a bad seal on our own entry). */
  | { kind: 'integrity'; error: KagiError };

export async function tryUnlock(rt: Runtime, project: Project | null): Promise<KeyState> {
  const explicit = findKeyVariable(rt);
  if (!project) return { kind: 'none', error: null, explicit };
  try {
    return { kind: 'unlocked', unlocked: await unlockProject(rt, project) };
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    if (error.exitCode === EXIT.integrity) return { kind: 'integrity', error };
    return { kind: 'none', error, explicit };
  }
}

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
