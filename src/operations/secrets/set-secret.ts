// `git kagi set`: one secret into one scope; the rest of the store stays byte-identical.
import { parseWritableSecretName } from '../../core/names.js';
import { formatScope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { changeScope } from '../project/stores.js';
import { type Target, targetScope } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';

export function parseSecretValue(name: string, value: string): string {
  if (value.includes('\0')) {
    throw new KagiError('bad-value', `the value of ${name} contains a NUL byte`, {
      hint: 'environment variables cannot carry NUL bytes; encode the value (for example base64) first',
    });
  }
  return value;
}

export async function setSecret(rt: Runtime, target: Target, name: string, value: string) {
  parseWritableSecretName(name);
  parseSecretValue(name, value);
  const scope = targetScope(target);
  const unlocked = await unlockProject(rt, target.project);
  const report = await changeScope(rt, target.project, unlocked, scope, { set: [{ name, value }] });
  return {
    scope: formatScope(scope),
    name,
    added: report.added.length > 0,
    changed: report.changed.length > 0,
  };
}
