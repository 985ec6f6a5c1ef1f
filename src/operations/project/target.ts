// Turns a command's positional words into a scope (DESIGN §6) for the project at hand: known
// services from the stores, the folder's service from nesting, envs from kagi.json.
import { inferServiceFromFolder } from '../../core/kagi-config.js';
import { type RunArgs, splitRunArgs } from '../../core/run-args.js';
import type { Scope } from '../../core/scope.js';
import { resolveScopeArgs, type ScopeArgs } from '../../core/scope-args.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from './open-project.js';
import { listKnownServices, listScopes, type Project } from './read-project.js';

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
  return resolveTarget(project, listScopes(project), input);
}

/**
 * `run`'s argv: the scope words and flags before the command, then the command. The stores are
 * listed only if a word may name a service: `run -- cmd`, the form of package.json scripts,
 * needs no listing (0.3 ms of its start-up).
 */
export async function openRunTarget(
  rt: Runtime,
  argv: readonly string[],
): Promise<Target & { run: RunArgs }> {
  const project = await openProject(rt);
  let scopes: Scope[] | undefined;
  let known: Set<string> | undefined;
  const listed = () => {
    scopes ??= listScopes(project);
    return scopes;
  };
  const services = {
    has: (word: string) => {
      known ??= listKnownServices(project, listed());
      return known.has(word);
    },
  };
  const run = splitRunArgs(argv, project.config.envs, services);
  const resolved = resolveScopeWords(project, services, {
    args: run.words,
    tail: { min: 0, max: 0 },
    allowNewService: false,
    service: run.service,
    env: run.env,
  });
  return {
    project,
    get scopes() {
      return listed();
    },
    ...resolved,
    run,
  };
}

function resolveTarget(project: Project, scopes: Scope[], input: TargetInput): Target {
  const resolved = resolveScopeWords(project, listKnownServices(project, scopes), input);
  return { project, scopes, ...resolved };
}

function resolveScopeWords(
  project: Project,
  knownServices: Pick<ReadonlySet<string>, 'has'>,
  input: TargetInput,
): ScopeArgs {
  return resolveScopeArgs({
    args: input.args,
    tail: input.tail,
    envs: project.config.envs,
    knownServices,
    folderService: inferServiceFromFolder(project.config, project.repo.prefix),
    allowNewService: input.allowNewService,
    serviceFlag: input.service,
    envFlag: input.env,
  });
}

/** The one scope a write goes to: the named env, else the default env. */
export function targetScope(target: Target): Scope {
  return { service: target.service, env: target.env ?? target.project.config.default_env };
}
