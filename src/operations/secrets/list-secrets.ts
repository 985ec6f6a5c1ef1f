// `git kagi get` listings: the secrets of the scopes a target names, with the project-wide scope of
// each env shown under a service as inherited (DESIGN §6: most specific wins).
import type { AccessFile } from '../../core/access.js';
import { formatScope, type Scope } from '../../core/scope.js';
import type { SecretRecord } from '../../crypto/secret-line.js';
import type { Runtime } from '../../runtime.js';
import { openScopeReader, type ScopeReader } from '../project/read-scopes.js';
import type { Target } from '../project/target.js';
import { unlockProject } from '../project/unlock-project.js';

export interface SecretRow {
  scope: string;
  name: string;
  value: string;
  /** The project-wide scope this row comes from when it is inherited, else null. */
  inherited_from: string | null;
  updated_at: string;
  updated_by: string;
}

export interface ScopeListing {
  scope: string;
  rows: SecretRow[];
}

/** Member ids to names: made once, not once per row. */
const memberNames = new WeakMap<AccessFile, Map<string, string>>();

function namesOfMembers(access: AccessFile): Map<string, string> {
  let names = memberNames.get(access);
  if (!names) {
    names = new Map(access.members.map((m) => [m.id, m.name]));
    memberNames.set(access, names);
  }
  return names;
}

/** The scopes a listing covers: a service's envs, an env's scopes, or everything. */
export function selectScopes(target: Target): Scope[] {
  const { service, env, scopes, project } = target;
  if (service !== null) {
    const envs = env === null ? project.config.envs : [env];
    return envs
      .filter((e) =>
        scopes.some((s) => s.env === e && (s.service === service || s.service === null)),
      )
      .map((e) => ({ service, env: e }));
  }
  return scopes.filter((s) => env === null || s.env === env);
}

/**
 * A scope's rows with the project-wide ones it inherits (the reader reads each scope once, and a
 * scope without a store as empty: `run` does not list the stores first).
 */
export async function readEffectiveSecrets(
  target: Target,
  reader: ScopeReader,
  scope: Scope,
): Promise<SecretRow[]> {
  const members = namesOfMembers(target.project.access);
  const scopeName = formatScope(scope);
  const toRow = (record: SecretRecord, from: string | null): SecretRow => ({
    scope: scopeName,
    name: record.name,
    value: record.value,
    inherited_from: from,
    updated_at: record.updated_at,
    updated_by: members.get(record.updated_by) ?? record.updated_by,
  });
  const rows = (await reader.read(scope)).map((record) => toRow(record, null));
  if (scope.service === null) return rows;
  const base: Scope = { service: null, env: scope.env };
  const inherited = await reader.read(base);
  if (inherited.length > 0) {
    const baseName = formatScope(base);
    const names = new Set(rows.map((r) => r.name));
    for (const record of inherited) {
      if (!names.has(record.name)) rows.push(toRow(record, baseName));
    }
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function listSecrets(rt: Runtime, target: Target): Promise<ScopeListing[]> {
  const reader = openScopeReader(target.project, await unlockProject(rt, target.project));
  const listings: ScopeListing[] = [];
  for (const scope of selectScopes(target)) {
    listings.push({
      scope: formatScope(scope),
      rows: await readEffectiveSecrets(target, reader, scope),
    });
  }
  reader.saveCache();
  return listings;
}
