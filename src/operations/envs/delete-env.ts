// `git kagi env del`: removes an environment and its stores; the default env cannot go.
import { formatScope } from '../../core/scope.js';
import { KagiError, usageError } from '../../errors.js';
import { removeFileDurably } from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import { listScopes, storePath, writeKagiConfig } from '../project/read-project.js';

export interface PlannedEnvDeletion {
  scopes: string[];
  apply(): Promise<void>;
}

/** Checks first (so nobody types a name for nothing), deletes on apply(). */
export async function planEnvDeletion(rt: Runtime, name: string): Promise<PlannedEnvDeletion> {
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
  const scopes = listScopes(project).filter((s) => s.env === name);
  return {
    scopes: scopes.map(formatScope),
    apply: () =>
      withLock(project.repo.gitDir, async () => {
        project.config.envs = project.config.envs.filter((e) => e !== name);
        await writeKagiConfig(project);
        for (const scope of scopes) await removeFileDurably(storePath(project, scope));
      }),
  };
}
