// Unit tests of src/core/scope-args.ts: how `set`/`get`/`run` read `[service] [env] …` (DESIGN §6):
// a configured env is always an env, a new service only where nothing else fits, ambiguity is exit 2.
import { describe, expect, it } from 'vitest';
import { resolveScopeArgs, type ScopeArgsInput } from '../../../src/core/scope-args.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const ENVS = ['development', 'test', 'production'];

interface Where {
  services?: string[];
  folderService?: string | null;
  service?: string;
  env?: string;
}

function input(kind: 'set' | 'get' | 'run', args: string[], where: Where = {}): ScopeArgsInput {
  return {
    args,
    tail:
      kind === 'set'
        ? { min: 1, max: 2 }
        : kind === 'get'
          ? { min: 0, max: 1 }
          : { min: 0, max: 0 },
    envs: ENVS,
    knownServices: new Set(where.services ?? []),
    folderService: where.folderService ?? null,
    allowNewService: kind === 'set',
    serviceFlag: where.service,
    envFlag: where.env,
  };
}

const set = (args: string[], where?: Where) => resolveScopeArgs(input('set', args, where));
const get = (args: string[], where?: Where) => resolveScopeArgs(input('get', args, where));

function usage(fn: () => unknown): KagiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    expect((error as KagiError).exitCode).toBe(EXIT.usage);
    return error as KagiError;
  }
  throw new Error('expected a usage error');
}

describe('set at the repository root', () => {
  it('`set KEY v` is the project-wide scope of the default env', () => {
    expect(set(['KEY', 'v'])).toEqual({ service: null, env: null, rest: ['KEY', 'v'] });
  });

  it('`set api KEY v` creates service api in the default env', () => {
    expect(set(['api', 'KEY', 'v'])).toEqual({ service: 'api', env: null, rest: ['KEY', 'v'] });
  });

  it('`set api production KEY v` is api/production', () => {
    expect(set(['api', 'production', 'KEY', 'v'])).toEqual({
      service: 'api',
      env: 'production',
      rest: ['KEY', 'v'],
    });
  });

  it('`set production KEY v` is the project-wide production scope', () => {
    expect(set(['production', 'KEY', 'v'])).toEqual({
      service: null,
      env: 'production',
      rest: ['KEY', 'v'],
    });
  });

  it('`set production KEY` (value on stdin) is project-wide production, not a service', () => {
    expect(set(['production', 'KEY'])).toEqual({ service: null, env: 'production', rest: ['KEY'] });
  });

  it('`set api DATABASE_URL` (value on stdin) is service api', () => {
    expect(set(['api', 'DATABASE_URL'])).toEqual({
      service: 'api',
      env: null,
      rest: ['DATABASE_URL'],
    });
  });

  it('`set api production DATABASE_URL` (value on stdin) is api/production', () => {
    expect(set(['api', 'production', 'DATABASE_URL'])).toEqual({
      service: 'api',
      env: 'production',
      rest: ['DATABASE_URL'],
    });
  });

  it('a known service is read as the service even before a lower-case name', () => {
    expect(set(['api', 'key'], { services: ['api'] })).toEqual({
      service: 'api',
      env: null,
      rest: ['key'],
    });
  });

  it('`set api key` with no service api yet is ambiguous: exit 2 suggesting --service', () => {
    const error = usage(() => set(['api', 'key']));
    expect(error.message).toContain("'api'");
    expect(error.hint).toContain('--service api');
  });

  it('`set key value` with a lower-case first word is ambiguous too', () => {
    usage(() => set(['key', 'value']));
  });

  it('a single lower-case word is the secret name (value on stdin)', () => {
    expect(set(['key'])).toEqual({ service: null, env: null, rest: ['key'] });
  });

  it('an unknown env after a service is an error naming it, never a secret', () => {
    const error = usage(() => set(['api', 'staging', 'KEY', 'v']));
    expect(error.message).toContain("unknown environment 'staging'");
    expect(error.hint).toContain('git kagi env add staging');
  });

  it('too many words is a usage error', () => {
    usage(() => set(['api', 'production', 'KEY', 'v', 'extra']));
    usage(() => set(['production', 'KEY', 'v', 'extra']));
  });

  it('no secret name is a usage error', () => {
    usage(() => set([]));
    usage(() => set(['production']));
  });
});

describe('set inside a nested service folder', () => {
  const inApi = { folderService: 'api', services: ['api'] };

  it('`set KEY v` is the folder’s service in the default env', () => {
    expect(set(['KEY', 'v'], inApi)).toEqual({ service: 'api', env: null, rest: ['KEY', 'v'] });
  });

  it('`set production KEY v` is the folder’s service in production', () => {
    expect(set(['production', 'KEY', 'v'], inApi)).toEqual({
      service: 'api',
      env: 'production',
      rest: ['KEY', 'v'],
    });
  });

  it('a lower-case secret name is not ambiguous there', () => {
    expect(set(['key', 'value'], inApi)).toEqual({
      service: 'api',
      env: null,
      rest: ['key', 'value'],
    });
  });

  it('another known service can still be named', () => {
    expect(set(['web', 'KEY', 'v'], { ...inApi, services: ['api', 'web'] })).toEqual({
      service: 'web',
      env: null,
      rest: ['KEY', 'v'],
    });
  });
});

describe('--service and --env', () => {
  it('name the scope and leave every positional word to the tail', () => {
    expect(set(['KEY', 'v'], { service: 'api', env: 'production' })).toEqual({
      service: 'api',
      env: 'production',
      rest: ['KEY', 'v'],
    });
  });

  it('--service resolves the ambiguous `set api key`', () => {
    expect(set(['key', 'value'], { service: 'api' })).toEqual({
      service: 'api',
      env: null,
      rest: ['key', 'value'],
    });
  });

  it('--env with a lower-case secret name keeps it a secret name', () => {
    expect(set(['key', 'value'], { env: 'production' })).toEqual({
      service: null,
      env: 'production',
      rest: ['key', 'value'],
    });
  });

  it('--service overrides the folder’s service', () => {
    expect(set(['KEY', 'v'], { service: 'web', folderService: 'api' }).service).toBe('web');
  });

  it('an unknown --env is an error', () => {
    const error = usage(() => set(['KEY', 'v'], { env: 'staging' }));
    expect(error.message).toContain("unknown environment 'staging'");
  });

  it('an invalid --service or --env name is an error', () => {
    usage(() => set(['KEY', 'v'], { service: 'Api' }));
    usage(() => set(['KEY', 'v'], { env: '../x' }));
  });

  it('--service naming an environment is an error pointing to --env', () => {
    const error = usage(() => set(['KEY', 'v'], { service: 'production' }));
    expect(error.hint).toContain('--env production');
  });
});

describe('an env named like a service', () => {
  it('a configured env name is always the env, even if a service had that name', () => {
    expect(set(['production', 'KEY', 'v'], { services: ['production'] })).toEqual({
      service: null,
      env: 'production',
      rest: ['KEY', 'v'],
    });
    expect(get(['production'], { services: ['production'] })).toEqual({
      service: null,
      env: 'production',
      rest: [],
    });
  });
});

describe('get and run (reads)', () => {
  const known = { services: ['api', 'web'] };

  it('`get` alone names nothing', () => {
    expect(get([], known)).toEqual({ service: null, env: null, rest: [] });
  });

  it('`get api`, `get production`, `get api production`', () => {
    expect(get(['api'], known)).toEqual({ service: 'api', env: null, rest: [] });
    expect(get(['production'], known)).toEqual({ service: null, env: 'production', rest: [] });
    expect(get(['api', 'production'], known)).toEqual({
      service: 'api',
      env: 'production',
      rest: [],
    });
  });

  it('`get api production KEY` names one secret', () => {
    expect(get(['api', 'production', 'KEY'], known)).toEqual({
      service: 'api',
      env: 'production',
      rest: ['KEY'],
    });
  });

  it('never invents a service: an unknown word is the secret name', () => {
    expect(get(['billing'], known)).toEqual({ service: null, env: null, rest: ['billing'] });
  });

  it('an unknown env in a read is an error', () => {
    expect(() => get(['api', 'staging', 'KEY'], known)).toThrow(/unknown environment 'staging'/);
  });

  it('`run` takes no tail words', () => {
    const run = (args: string[]) => resolveScopeArgs(input('run', args, known));
    expect(run(['api', 'production'])).toEqual({ service: 'api', env: 'production', rest: [] });
    expect(run([])).toEqual({ service: null, env: null, rest: [] });
    usage(() => run(['api', 'production', 'KEY']));
  });
});
