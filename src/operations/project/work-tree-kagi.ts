// The work tree's .kagi/ read as it is, without trusting it (verify and doctor judge it), and the
// key that may unlock it: a failed unlock is a state to report, not an error.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type AccessFile, parseAccess } from '../../core/access.js';
import { type KagiConfig, parseKagiConfig } from '../../core/kagi-config.js';
import { KEY_VARIABLES } from '../../core/key-variables.js';
import { EXIT, KagiError } from '../../errors.js';
import { readTextOrNull } from '../../io/atomic-file.js';
import { findRepository, type Repository } from '../../io/git.js';
import type { Runtime } from '../../runtime.js';
import type { KagiFiles } from './check-kagi-files.js';
import type { Project } from './read-project.js';
import { type Unlocked, unlockProject } from './unlock-project.js';

export interface WorkTreeKagi {
  repo: Repository;
  kagiDir: string;
  files: KagiFiles;
  /** Parsed when kagi.json and access.json parse and name the same project; else null. */
  project: Project | null;
}

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
