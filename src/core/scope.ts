// Scopes (DESIGN §1–2): `service/env`, or `env` alone for the project-wide scope of an env, and
// the store path each one has under `.kagi/secrets/`.
import { isScopePartName } from './names.js';

export interface Scope {
  service: string | null;
  env: string;
}

export function formatScope(scope: Scope): string {
  return scope.service === null ? scope.env : `${scope.service}/${scope.env}`;
}

/** Path of the scope's store relative to `.kagi/`, always with `/`. */
export function formatScopePath(scope: Scope): string {
  return `secrets/${formatScope(scope)}.enc`;
}

/** The scope a path under `.kagi/secrets/` names (`api/development.enc`), or null. */
export function parseScopePath(relative: string): Scope | null {
  const match = /^([^/]+)(?:\/([^/]+))?\.enc$/.exec(relative);
  if (!match) return null;
  const [, first, second] = match;
  if (second === undefined)
    return first && isScopePartName(first) ? { service: null, env: first } : null;
  if (!first || !isScopePartName(first) || !isScopePartName(second)) return null;
  return { service: first, env: second };
}

export function compareScopes(a: Scope, b: Scope): number {
  const sa = a.service ?? '';
  const sb = b.service ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.env < b.env ? -1 : a.env > b.env ? 1 : 0;
}
