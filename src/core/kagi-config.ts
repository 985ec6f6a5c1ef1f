// kagi.json (DESIGN §2): project id, environments, default env and nested service folders.
// The list of scopes is the set of store files, never repeated here.
import { integrityError } from '../errors.js';
import { formatCanonicalJson, parseJsonSafely } from './canonical-json.js';
import { isScopePartName, PROJECT_ID } from './names.js';

export type Nested = boolean | Record<string, string>;

export interface KagiConfig {
  format: 'git-kagi/1';
  project_id: string;
  envs: string[];
  default_env: string;
  nested: Nested;
}

export function formatKagiConfig(config: KagiConfig): string {
  return formatCanonicalJson(config);
}

export function parseKagiConfig(text: string, where = '.kagi/kagi.json'): KagiConfig {
  const value = parseJsonSafely(text, where) as Partial<KagiConfig> | null;
  const bad = (why: string) =>
    integrityError(`${where} ${why}`, 'restore it from git history or fix it by hand');
  if (!value || typeof value !== 'object') throw bad('is not an object');
  if (value.format !== 'git-kagi/1') throw bad('has an unknown format (expected git-kagi/1)');
  if (typeof value.project_id !== 'string' || !PROJECT_ID.test(value.project_id)) {
    throw bad('has an invalid project_id');
  }
  if (!Array.isArray(value.envs) || value.envs.length === 0) throw bad('lists no environments');
  for (const env of value.envs) {
    if (typeof env !== 'string' || !isScopePartName(env))
      throw bad('lists an invalid environment name');
  }
  if (new Set(value.envs).size !== value.envs.length) throw bad('lists an environment twice');
  if (typeof value.default_env !== 'string' || !value.envs.includes(value.default_env)) {
    throw bad('has a default_env that is not one of its envs');
  }
  const nested = value.nested;
  if (typeof nested !== 'boolean') {
    if (!nested || typeof nested !== 'object' || Array.isArray(nested))
      throw bad('has an invalid nested setting');
    for (const [folder, service] of Object.entries(nested)) {
      if (
        typeof service !== 'string' ||
        !isScopePartName(service) ||
        folder.startsWith('/') ||
        folder.split('/').includes('..')
      ) {
        throw bad('has an invalid nested folder mapping');
      }
    }
  }
  return {
    format: 'git-kagi/1',
    project_id: value.project_id,
    envs: [...value.envs],
    default_env: value.default_env,
    nested: value.nested as Nested,
  };
}

/** The service a folder (relative to the repository root, `/`-separated) belongs to, if any. */
export function inferServiceFromFolder(config: KagiConfig, folder: string): string | null {
  const parts = folder.split('/').filter((p) => p !== '');
  if (parts.length === 0 || config.nested === false) return null;
  if (config.nested === true) {
    const first = parts[0] as string;
    return isScopePartName(first) ? first : null;
  }
  let best: { length: number; service: string } | null = null;
  for (const [prefix, service] of Object.entries(config.nested)) {
    const p = prefix.split('/').filter((x) => x !== '');
    if (
      p.length <= parts.length &&
      p.every((x, i) => parts[i] === x) &&
      (!best || p.length > best.length)
    ) {
      best = { length: p.length, service };
    }
  }
  return best?.service ?? null;
}

/** The folder of a service when nesting names one (for `.env.example` and `sync`). */
export function findServiceFolder(config: KagiConfig, service: string): string | null {
  if (config.nested === true) return service;
  if (config.nested === false) return null;
  for (const [folder, s] of Object.entries(config.nested)) if (s === service) return folder;
  return null;
}
