// `git kagi env add|rename|del|list`: the environments of kagi.json and their stores. A rename
// re-encrypts (environment keys derive from the name, DESIGN §3); the default env cannot be deleted.
import path from 'node:path';
import { formatKagiConfig } from '../core/kagi-config.js';
import { parseEnvName } from '../core/names.js';
import { formatScope, formatScopePath, type Scope } from '../core/scope.js';
import { formatStore, type StoreLine } from '../core/store.js';
import { decryptSecret, encryptSecret } from '../crypto/secret-line.js';
import { KagiError, usageError } from '../errors.js';
import { removeFileDurably, writeFileAtomic } from '../io/atomic-file.js';
import { withLock } from '../io/lock.js';
import type { Runtime } from '../runtime.js';
import {
  assertWritable,
  listKnownServices,
  listScopes,
  openProject,
  type Project,
  readStoreLines,
  storePath,
  unlockProject,
} from './project.js';
import { lineContext } from './stores.js';

export interface EnvInfo {
  name: string;
  default: boolean;
  scopes: string[];
}

export async function listEnvs(rt: Runtime): Promise<EnvInfo[]> {
  const project = await openProject(rt);
  const scopes = await listScopes(project);
  return project.config.envs.map((name) => ({
    name,
    default: name === project.config.default_env,
    scopes: scopes.filter((s) => s.env === name).map(formatScope),
  }));
}

async function assertNewEnvName(project: Project, name: string): Promise<void> {
  parseEnvName(name);
  if (project.config.envs.includes(name)) throw usageError(`environment '${name}' already exists`);
  if (listKnownServices(project, await listScopes(project)).has(name)) {
    throw usageError(
      `'${name}' is already a service; an environment may not share a service's name`,
    );
  }
}

async function writeConfig(project: Project): Promise<void> {
  await writeFileAtomic(path.join(project.kagiDir, 'kagi.json'), formatKagiConfig(project.config));
}

export async function addEnv(rt: Runtime, name: string): Promise<void> {
  const project = await openProject(rt);
  await assertNewEnvName(project, name);
  await withLock(project.repo.gitDir, async () => {
    project.config.envs.push(name);
    await writeFileAtomic(storePath(project, { service: null, env: name }), formatStore(name, []));
    await writeConfig(project);
  });
}

export async function renameEnv(
  rt: Runtime,
  from: string,
  to: string,
): Promise<{ scopes: string[] }> {
  const project = await openProject(rt);
  if (!project.config.envs.includes(from))
    throw usageError(`unknown environment '${from}'`, 'see `git kagi env list`');
  await assertNewEnvName(project, to);
  const unlocked = await unlockProject(rt, project);
  assertWritable(unlocked);
  return withLock(project.repo.gitDir, async () => {
    const scopes = (await listScopes(project)).filter((s) => s.env === from);
    const fromKeys = unlocked.keys.env(from);
    const toKeys = unlocked.keys.env(to);
    // New stores first, then kagi.json, then the old stores: a crash leaves every value readable.
    for (const scope of scopes) {
      const target: Scope = { service: scope.service, env: to };
      const where = `.kagi/${formatScopePath(scope)}`;
      const lines: StoreLine[] = (await readStoreLines(project, scope))
        .map((line) => decryptSecret(fromKeys, lineContext(project, scope), line, where))
        .map((record) => encryptSecret(toKeys, lineContext(project, target), record))
        .sort((a, b) => (a.tag < b.tag ? -1 : 1));
      await writeFileAtomic(storePath(project, target), formatStore(formatScope(target), lines));
    }
    project.config.envs = project.config.envs.map((e) => (e === from ? to : e));
    if (project.config.default_env === from) project.config.default_env = to;
    await writeConfig(project);
    for (const scope of scopes) await removeFileDurably(storePath(project, scope));
    return {
      scopes: scopes.map(
        (s) => `${formatScope(s)} → ${formatScope({ service: s.service, env: to })}`,
      ),
    };
  });
}

export async function deleteEnv(rt: Runtime, name: string): Promise<{ scopes: string[] }> {
  const project = await openProject(rt);
  if (!project.config.envs.includes(name))
    throw usageError(`unknown environment '${name}'`, 'see `git kagi env list`');
  if (project.config.default_env === name) {
    throw new KagiError(
      'default-env',
      `'${name}' is the default environment and cannot be deleted`,
      {
        hint: 'rename it instead (`git kagi env rename`)',
      },
    );
  }
  return withLock(project.repo.gitDir, async () => {
    const scopes = (await listScopes(project)).filter((s) => s.env === name);
    project.config.envs = project.config.envs.filter((e) => e !== name);
    await writeConfig(project);
    for (const scope of scopes) await removeFileDurably(storePath(project, scope));
    return { scopes: scopes.map(formatScope) };
  });
}
