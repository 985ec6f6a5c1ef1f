// Turns a command's positional words into a scope (DESIGN §6) for the project at hand: known
// services from the stores, the folder's service from nesting, envs from kagi.json.
import { inferServiceFromFolder } from '../core/kagi-config.js';
import { type RunArgs, splitRunArgs } from '../core/run-args.js';
import type { Scope } from '../core/scope.js';
import { resolveScopeArgs } from '../core/scope-args.js';
import type { Runtime } from '../runtime.js';
import { listKnownServices, listScopes, openProject, type Project } from './project.js';

export interface TargetInput {
  args: readonly string[];
  tail: { min: number; max: number };
  allowNewService: boolean;
  service?: string | undefined;
  env?: string | undefined;
}

export interface Target {
  project: Project;
  scopes: Scope[];
  service: string | null;
  /** null when no env was named. */
  env: string | null;
  rest: string[];
}

export async function openTarget(rt: Runtime, input: TargetInput): Promise<Target> {
  const project = await openProject(rt);
  return resolveTarget(project, await listScopes(project), input);
}

/** `run`'s argv: the scope words and flags before the command, then the command. */
export async function openRunTarget(
  rt: Runtime,
  argv: readonly string[],
): Promise<Target & { run: RunArgs }> {
  const project = await openProject(rt);
  const scopes = await listScopes(project);
  const run = splitRunArgs(argv, project.config.envs, listKnownServices(project, scopes));
  const target = resolveTarget(project, scopes, {
    args: run.words,
    tail: { min: 0, max: 0 },
    allowNewService: false,
    service: run.service,
    env: run.env,
  });
  return { ...target, run };
}

function resolveTarget(project: Project, scopes: Scope[], input: TargetInput): Target {
  const resolved = resolveScopeArgs({
    args: input.args,
    tail: input.tail,
    envs: project.config.envs,
    knownServices: listKnownServices(project, scopes),
    folderService: inferServiceFromFolder(project.config, project.repo.prefix),
    allowNewService: input.allowNewService,
    serviceFlag: input.service,
    envFlag: input.env,
  });
  return { project, scopes, ...resolved };
}

/** The one scope a write goes to: the named env, else the default env. */
export function targetScope(target: Target): Scope {
  return { service: target.service, env: target.env ?? target.project.config.default_env };
}
