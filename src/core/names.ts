// Names of DESIGN §1: services, environments, secret names, project and member ids.
// Every name that reaches a path or a store line passes through one of these parsers first.
import { KagiError, usageError } from '../errors.js';

const SCOPE_PART = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const PROJECT_ID = /^kgp_[A-Za-z0-9_-]{12}$/;
export const MEMBER_ID = /^kgm_[A-Za-z0-9_-]{12}$/;

export function isScopePartName(name: string): boolean {
  return SCOPE_PART.test(name) && name !== '.' && name !== '..';
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function parseServiceName(name: string): string {
  if (!isScopePartName(name)) {
    throw usageError(
      `invalid service name '${name}'`,
      'service names are 1-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit',
    );
  }
  return name;
}

export function parseEnvName(name: string): string {
  if (!isScopePartName(name)) {
    throw usageError(
      `invalid environment name '${name}'`,
      'environment names are 1-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit',
    );
  }
  return name;
}

/**
 * A secret name must be a POSIX environment variable name; the hint suggests the fixed name. A
 * word that does not look like a name (it may be a value typed in the wrong place, or
 * `NAME=value`) is never echoed.
 */
export function parseSecretName(name: string): string {
  if (isSecretName(name)) return name;
  const assignment = name.indexOf('=');
  if (assignment !== -1) {
    const before = name.slice(0, assignment);
    const shown = isSecretName(before) ? before : 'NAME';
    throw new KagiError('invalid-name', 'invalid secret name: it contains "="', {
      hint: `give the name alone and let git kagi ask for the value: git kagi set ${shown}`,
    });
  }
  if (!/^[\p{L}\p{N}_.-]{1,64}$/u.test(name)) {
    throw new KagiError('invalid-name', 'invalid secret name', {
      hint: 'secret names are environment variable names ([A-Za-z_][A-Za-z0-9_]*)',
    });
  }
  let fixed = name.replace(/[^A-Za-z0-9_]/gu, '_');
  if (!/^[A-Za-z_]/.test(fixed)) fixed = `_${fixed}`;
  throw new KagiError('invalid-name', `invalid secret name '${name}'`, {
    hint: `secret names are environment variable names ([A-Za-z_][A-Za-z0-9_]*); try '${fixed}'`,
  });
}

/** A name a secret may be written under: valid, and not in the KAGI_* namespace of key sources. */
export function parseWritableSecretName(name: string): string {
  parseSecretName(name);
  if (name.startsWith('KAGI_')) {
    throw usageError(
      `secret names starting with KAGI_ are reserved (${name})`,
      'choose another name',
    );
  }
  return name;
}
