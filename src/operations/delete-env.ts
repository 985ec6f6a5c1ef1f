// `git kagi env del`: removes an environment and its stores; the default env cannot go.
import { formatScope } from '../core/scope.js';
import { KagiError, usageError } from '../errors.js';
import { removeFileDurably } from '../io/atomic-file.js';
import { withLock } from '../io/lock.js';
import type { Runtime } from '../runtime.js';
import { listScopes, openProject, storePath, writeKagiConfig } from './project.js';

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
    await writeKagiConfig(project);
    for (const scope of scopes) await removeFileDurably(storePath(project, scope));
    return { scopes: scopes.map(formatScope) };
  });
}
