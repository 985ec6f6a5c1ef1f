// `git kagi unset`: removes one secret from one scope.
import { parseSecretName } from '../../core/names.js';
import { formatScope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { changeScope } from '../project/stores.js';
import { type Target, targetScope } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';

export async function unsetSecret(rt: Runtime, target: Target, name: string) {
  parseSecretName(name);
  const scope = targetScope(target);
  const unlocked = await unlockProject(rt, target.project);
  const report = await changeScope(rt, target.project, unlocked, scope, { unset: [name] });
  if (report.missing.length > 0) {
    throw new KagiError('not-found', `no secret ${name} in ${formatScope(scope)}`, {
      hint: 'list the secrets with `git kagi get`',
    });
  }
  return { scope: formatScope(scope), name };
}
