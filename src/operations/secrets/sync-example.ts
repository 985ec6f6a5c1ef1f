// `git kagi sync --service S`: every name in the service's `.env.example` (commented `# KEY=` lines
// too) is added to each env of the service; existing secrets are never overwritten.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseExampleNames } from '../../core/dotenv.js';
import { findServiceFolder } from '../../core/kagi-config.js';
import { parseWritableSecretName } from '../../core/names.js';
import { formatScope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { changeScope } from '../project/stores.js';
import type { Target } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';
import { parseSecretValue } from './set-secret.js';

export interface SyncResult {
  file: string;
  scopes: Array<{ scope: string; added: string[]; kept: string[] }>;
  /** KAGI_* names, which are reserved for key sources. */
  skipped: string[];
}

export async function syncExample(rt: Runtime, target: Target): Promise<SyncResult> {
  const { project } = target;
  const folder = target.service === null ? null : findServiceFolder(project.config, target.service);
  const base = folder === null ? rt.cwd : path.join(project.repo.root, folder);
  const file = path.join(base, '.env.example');
  const shown = path.relative(project.repo.root, file) || '.env.example';
  const bytes = await fs.readFile(file).catch(() => null);
  if (bytes === null) {
    throw new KagiError('no-example', `no .env.example at ${shown}`, {
      hint: 'create one listing the variables the service needs (values are examples, not secrets)',
    });
  }
  // `.env.example` often documents the KAGI_* key sources themselves: those are skipped, not synced.
  const all = parseExampleNames(bytes, shown);
  const skipped = all.filter((e) => e.name.startsWith('KAGI_')).map((e) => e.name);
  const entries = all.filter((e) => !e.name.startsWith('KAGI_'));
  for (const e of entries) {
    parseWritableSecretName(e.name);
    parseSecretValue(e.name, e.value);
  }
  const unlocked = await unlockProject(rt, project);
  const envs = target.env === null ? project.config.envs : [target.env];
  const result: SyncResult = { file: shown, scopes: [], skipped };
  for (const env of envs) {
    const scope = { service: target.service, env };
    const report = await changeScope(rt, project, unlocked, scope, {
      set: entries.map((e) => ({ name: e.name, value: e.value })),
      overwrite: false,
    });
    result.scopes.push({ scope: formatScope(scope), added: report.added, kept: report.unchanged });
  }
  return result;
}
