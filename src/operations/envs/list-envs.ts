// `git kagi env list`: the environments of kagi.json, the default marked, with their scopes.
import { formatScope } from '../../core/scope.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import { listScopes } from '../project/read-project.js';

export interface EnvInfo {
  name: string;
  default: boolean;
  scopes: string[];
}

export async function listEnvs(rt: Runtime): Promise<EnvInfo[]> {
  const project = await openProject(rt);
  const scopes = listScopes(project);
  return project.config.envs.map((name) => ({
    name,
    default: name === project.config.default_env,
    scopes: scopes.filter((s) => s.env === name).map(formatScope),
  }));
}
