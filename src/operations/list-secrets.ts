// `git kagi get` listings: the secrets of the scopes a target names, with the project-wide scope of
// each env shown under a service as inherited (DESIGN §6: most specific wins).
import type { AccessFile } from '../core/access.js';
import { formatScope, type Scope } from '../core/scope.js';
import type { SecretRecord } from '../crypto/secret-line.js';
import type { Runtime } from '../runtime.js';
import { openScopeReader, type ScopeReader } from './read-scopes.js';
import type { Target } from './target.js';
import { unlockProject } from './unlock-project.js';

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

export function describeMember(access: AccessFile, id: string): string {
  return access.members.find((m) => m.id === id)?.name ?? id;
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

/** A scope's rows with the project-wide ones it inherits (the reader reads each scope once). */
export async function readEffectiveSecrets(
  target: Target,
  reader: ScopeReader,
  scope: Scope,
): Promise<SecretRow[]> {
  const { project } = target;
  const toRow = (record: SecretRecord, from: Scope, inherited: boolean): SecretRow => ({
    scope: formatScope(scope),
    name: record.name,
    value: record.value,
    inherited_from: inherited ? formatScope(from) : null,
    updated_at: record.updated_at,
    updated_by: describeMember(project.access, record.updated_by),
  });
  const exists = (s: Scope) => target.scopes.some((x) => formatScope(x) === formatScope(s));
  const own = exists(scope) ? (await reader.read(scope)).map((r) => toRow(r, scope, false)) : [];
  if (scope.service === null) return own;
  const base: Scope = { service: null, env: scope.env };
  const inherited = exists(base) ? await reader.read(base) : [];
  const names = new Set(own.map((r) => r.name));
  const rows = [
    ...own,
    ...inherited.filter((r) => !names.has(r.name)).map((r) => toRow(r, base, true)),
  ];
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
