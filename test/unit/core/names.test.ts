// Unit tests of src/core/names.ts: service, env and secret names (DESIGN §1), the fix the hint
// suggests for a bad secret name, the reserved KAGI_ namespace, project and member ids.
import { describe, expect, it } from 'vitest';
import {
  isScopePartName,
  isSecretName,
  MEMBER_ID,
  PROJECT_ID,
  parseEnvName,
  parseSecretName,
  parseServiceName,
  parseWritableSecretName,
} from '../../../src/core/names.js';
import { EXIT, KagiError } from '../../../src/errors.js';

function thrown(fn: () => unknown): KagiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    return error as KagiError;
  }
  throw new Error('expected a KagiError');
}

describe('service and environment names', () => {
  it.each(['api', 'a', '0', 'web-2', 'my_svc', 'v1.2', 'production', 'a'.repeat(63)])(
    'accepts %s',
    (name) => {
      expect(isScopePartName(name)).toBe(true);
      expect(parseServiceName(name)).toBe(name);
      expect(parseEnvName(name)).toBe(name);
    },
  );

  it.each([
    ['empty', ''],
    ['upper case', 'Api'],
    ['a leading dash', '-api'],
    ['a leading dot', '.api'],
    ['a leading underscore', '_api'],
    ['.', '.'],
    ['..', '..'],
    ['a slash', 'api/v1'],
    ['a backslash', 'api\\v1'],
    ['a space', 'my api'],
    ['64 characters', 'a'.repeat(64)],
    ['non-ASCII', 'café'],
    ['a newline', 'api\n'],
  ])('rejects %s as a usage error (exit 2)', (_what, name) => {
    expect(isScopePartName(name)).toBe(false);
    const service = thrown(() => parseServiceName(name));
    expect(service.exitCode).toBe(EXIT.usage);
    expect(service.message).toContain('service name');
    expect(service.hint).toContain('1-63 characters');
    const env = thrown(() => parseEnvName(name));
    expect(env.exitCode).toBe(EXIT.usage);
    expect(env.message).toContain('environment name');
  });
});

describe('secret names', () => {
  it.each(['DATABASE_URL', 'a', '_', '_1', 'lower_case', 'X9', 'KAGI'])('accepts %s', (name) => {
    expect(isSecretName(name)).toBe(true);
    expect(parseSecretName(name)).toBe(name);
  });

  it.each([
    ['database-url', 'database_url'],
    ['1PASSWORD', '_1PASSWORD'],
    ['api.key', 'api_key'],
    ['-', '_'],
    ['CAFÉ', 'CAF_'],
  ])('rejects %s with exit 2 and suggests %s', (name, fixed) => {
    expect(isSecretName(name)).toBe(false);
    const error = thrown(() => parseSecretName(name));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toContain(`'${name}'`);
    expect(error.hint).toContain(`try '${fixed}'`);
    expect(isSecretName(fixed)).toBe(true);
  });

  it('rejects the empty name', () => {
    expect(thrown(() => parseSecretName('')).exitCode).toBe(EXIT.usage);
  });

  it('never echoes a word that does not look like a name (it may be a value)', () => {
    for (const word of [`${'x'.repeat(200)}-`, 'correct horse battery', 'p@ss:w/rd?']) {
      const error = thrown(() => parseSecretName(word));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(`${error.message}\n${error.hint}`).not.toContain(word.slice(0, 10));
    }
  });

  // `git kagi set DATABASE_URL=postgres://…` (the dotenv habit) must not put the value on stderr.
  it('never echoes the value of a NAME=value argument', () => {
    const error = thrown(() => parseSecretName('DATABASE_URL=postgres://u:hunter2@db/app'));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(`${error.message}\n${error.hint}`).not.toContain('hunter2');
  });

  it('reserves KAGI_* for key sources on write', () => {
    for (const name of ['KAGI_PROJECT_KEY', 'KAGI_IDENTITY', 'KAGI_X']) {
      const error = thrown(() => parseWritableSecretName(name));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toContain('KAGI_');
    }
    expect(parseWritableSecretName('KAGI')).toBe('KAGI');
    expect(parseWritableSecretName('MY_KAGI_X')).toBe('MY_KAGI_X');
  });

  it('checks validity before the reserved prefix', () => {
    const error = thrown(() => parseWritableSecretName('KAGI-X'));
    expect(error.hint).toContain("try 'KAGI_X'");
  });
});

describe('project and member ids', () => {
  it('match kgp_/kgm_ and 12 characters of base64url', () => {
    expect(PROJECT_ID.test('kgp_iUwjvWkcTcVn')).toBe(true);
    expect(PROJECT_ID.test('kgp_a-b_c-d_e-f_')).toBe(true);
    expect(MEMBER_ID.test('kgm_17GQOOeX89T4')).toBe(true);
    for (const bad of [
      'kgp_iUwjvWkcTcV',
      'kgp_iUwjvWkcTcVnX',
      'kgm_iUwjvWkcTcVn',
      'kgp_iUwjvWkc+cVn',
    ]) {
      expect(PROJECT_ID.test(bad)).toBe(false);
    }
    expect(MEMBER_ID.test('kgp_17GQOOeX89T4')).toBe(false);
    expect(MEMBER_ID.test(' kgm_17GQOOeX89T4')).toBe(false);
  });
});
