// `git kagi run`: the env's project-wide scope, then the service's scope over it, injected over
// the parent environment; KAGI_* key material never reaches the child (DESIGN §3, §6).
import { formatScope } from '../../core/scope.js';
import { usageError } from '../../errors.js';
import { type Launcher, runChild } from '../../io/child-process.js';
import type { Runtime } from '../../runtime.js';
import { openScopeReader } from '../project/read-scopes.js';
import { type Target, targetScope } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';
import { readEffectiveSecrets } from './list-secrets.js';

export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  secrets: ReadonlyArray<{ name: string; value: string }>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !name.startsWith('KAGI_')) env[name] = value;
  }
  for (const { name, value } of secrets) {
    if (!name.startsWith('KAGI_')) env[name] = value;
  }
  return env;
}

export async function runWithSecrets(
  rt: Runtime,
  target: Target,
  command: readonly string[],
): Promise<number> {
  const [program, ...args] = command;
  if (program === undefined) {
    throw usageError('no command to run', 'for example: git kagi run api -- npm start');
  }
  const launcher = chooseLauncher(rt.env.KAGI_SPAWN);
  const scope = targetScope(target);
  const reader = openScopeReader(target.project, await unlockProject(rt, target.project));
  const rows = await readEffectiveSecrets(target, reader, scope);
  reader.saveCache();
  const skipped = rows.filter((r) => r.name.startsWith('KAGI_'));
  if (skipped.length > 0) {
    rt.notice(
      `warning: ${formatScope(scope)}: not injecting ${skipped.map((r) => r.name).join(', ')} (KAGI_* names are reserved)`,
    );
  }
  return runChild(program, args, buildChildEnv(rt.env, rows), launcher);
}

/** KAGI_SPAWN=child_process forces the portable launcher (DESIGN §6); unset, run picks. */
function chooseLauncher(value: string | undefined): Launcher {
  if (value === undefined || value === '') return 'auto';
  if (value === 'child_process') return 'child_process';
  throw usageError(
    'KAGI_SPAWN has a value git kagi does not know',
    'set KAGI_SPAWN=child_process to start programs through child_process, or unset it',
  );
}
