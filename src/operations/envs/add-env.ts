// `git kagi env add`: a new environment in kagi.json, with an empty project-wide store. An env may
// never share a service's name (DESIGN §1: positional arguments rely on it).
import { parseEnvName } from '../../core/names.js';
import { formatStore } from '../../core/store.js';
import { usageError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import {
  listKnownServices,
  listScopes,
  type Project,
  storePath,
  writeKagiConfig,
} from '../project/read-project.js';

export async function assertNewEnvName(project: Project, name: string): Promise<void> {
  parseEnvName(name);
  if (project.config.envs.includes(name)) throw usageError(`environment '${name}' already exists`);
  if (listKnownServices(project, listScopes(project)).has(name)) {
    throw usageError(
      `'${name}' is already a service; an environment may not share a service's name`,
    );
  }
}

export async function addEnv(rt: Runtime, name: string): Promise<void> {
  const project = await openProject(rt);
  await assertNewEnvName(project, name);
  await withLock(project.repo.gitDir, async () => {
    project.config.envs.push(name);
    await writeFileAtomic(storePath(project, { service: null, env: name }), formatStore(name, []));
    await writeKagiConfig(project);
  });
}
