// `git kagi import`: a .env file into one scope, all or nothing (DESIGN §7). Conflicts with
// existing values are reported first; the caller confirms them or passes --force.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseDotenv } from '../../core/dotenv.js';
import { parseWritableSecretName } from '../../core/names.js';
import { formatScope } from '../../core/scope.js';
import { KagiError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import { changeScope, decryptScope } from '../project/stores.js';
import { type Target, targetScope } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';
import { parseSecretValue } from './set-secret.js';

export interface ImportPlan {
  scope: string;
  file: string;
  added: string[];
  changed: string[];
  unchanged: string[];
  duplicates: string[];
}

export async function readImportFile(rt: Runtime, file: string) {
  const full = path.resolve(rt.cwd, file);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(full);
  } catch (error) {
    throw new KagiError(
      'no-file',
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        hint: 'pass the path of a .env file with --file',
      },
    );
  }
  const entries = parseDotenv(bytes, file);
  const last = new Map<string, string>();
  const duplicates = new Set<string>();
  for (const e of entries) {
    parseWritableSecretName(e.name);
    parseSecretValue(e.name, e.value);
    if (last.has(e.name)) duplicates.add(e.name);
    last.set(e.name, e.value);
  }
  return {
    entries: [...last].map(([name, value]) => ({ name, value })),
    duplicates: [...duplicates],
  };
}

export interface PlannedImport {
  plan: ImportPlan;
  /** Writes the planned values (conflicts included) under the lock. */
  apply(): Promise<unknown>;
}

/** Plans the import: what would be added or changed. Nothing is written until apply(). */
export async function planImport(
  rt: Runtime,
  target: Target,
  file: string,
): Promise<PlannedImport> {
  const { entries, duplicates } = await readImportFile(rt, file);
  const scope = targetScope(target);
  const unlocked = await unlockProject(rt, target.project);
  const exists = target.scopes.some((s) => formatScope(s) === formatScope(scope));
  const current = new Map(
    (exists ? await decryptScope(target.project, unlocked, scope) : []).map((r) => [
      r.name,
      r.value,
    ]),
  );
  const plan: ImportPlan = {
    scope: formatScope(scope),
    file,
    added: [],
    changed: [],
    unchanged: [],
    duplicates,
  };
  for (const { name, value } of entries) {
    if (!current.has(name)) plan.added.push(name);
    else if (current.get(name) === value) plan.unchanged.push(name);
    else plan.changed.push(name);
  }
  return { plan, apply: () => changeScope(rt, target.project, unlocked, scope, { set: entries }) };
}
