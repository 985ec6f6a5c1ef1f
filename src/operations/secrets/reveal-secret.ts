// `git kagi get <scope> KEY`: one secret's value as `run` would see it (own scope, else inherited).
import { parseSecretName } from '../../core/names.js';
import { formatScope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { openScopeReader } from '../project/read-scopes.js';
import { type Target, targetScope } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';
import { readEffectiveSecrets, type SecretRow } from './list-secrets.js';

export async function revealSecret(rt: Runtime, target: Target, name: string): Promise<SecretRow> {
  parseSecretName(name);
  const scope = targetScope(target);
  const reader = openScopeReader(target.project, await unlockProject(rt, target.project));
  const row = (await readEffectiveSecrets(target, reader, scope)).find((r) => r.name === name);
  reader.saveCache();
  if (!row) {
    throw new KagiError('not-found', `no secret ${name} in ${formatScope(scope)}`, {
      hint: 'list the secrets with `git kagi get`',
    });
  }
  return row;
}
