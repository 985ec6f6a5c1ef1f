// Unit tests of src/core/run-args.ts: `run [service] [env] [--] command…` (DESIGN §6) split into
// scope words, flags and the command, stopping at `--` or the first word that names no scope.
import { describe, expect, it } from 'vitest';
import { splitRunArgs } from '../../../src/core/run-args.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const ENVS = ['development', 'test', 'production'];
const SERVICES = new Set(['api', 'web']);
const split = (argv: string[]) => splitRunArgs(argv, ENVS, SERVICES);

describe('splitRunArgs', () => {
  it('reads service and env before --', () => {
    expect(split(['api', 'production', '--', 'npm', 'start'])).toEqual({
      words: ['api', 'production'],
      help: false,
      command: ['npm', 'start'],
    });
  });

  it('stops at the first word that names no scope, without --', () => {
    expect(split(['api', 'npm', 'start'])).toMatchObject({
      words: ['api'],
      command: ['npm', 'start'],
    });
    expect(split(['production', 'node', 'server.js'])).toMatchObject({
      words: ['production'],
      command: ['node', 'server.js'],
    });
    expect(split(['npm', 'start'])).toMatchObject({ words: [], command: ['npm', 'start'] });
  });

  it('leaves the command’s own flags and words alone, even scope-like ones', () => {
    expect(split(['api', '--', 'api', '--env', 'x', '-h', '--'])).toMatchObject({
      words: ['api'],
      help: false,
      command: ['api', '--env', 'x', '-h', '--'],
    });
    expect(split(['node', '-e', 'x', '--service', 'web'])).toMatchObject({
      words: [],
      command: ['node', '-e', 'x', '--service', 'web'],
    });
    expect(split(['api', 'production', 'production'])).toMatchObject({
      words: ['api', 'production'],
      command: ['production'],
    });
  });

  it('reads a service only first, and one env only', () => {
    expect(split(['production', 'api'])).toMatchObject({
      words: ['production'],
      command: ['api'],
    });
    expect(split(['api', 'web'])).toMatchObject({ words: ['api'], command: ['web'] });
  });

  it('reads --service/-s and --env/-e in both forms', () => {
    expect(split(['--service', 'api', '--env=production', '--', 'true'])).toMatchObject({
      service: 'api',
      env: 'production',
      words: [],
      command: ['true'],
    });
    expect(split(['-s', 'billing', '-e', 'test', 'true'])).toMatchObject({
      service: 'billing',
      env: 'test',
      command: ['true'],
    });
    expect(split(['--service=api', 'production', 'true'])).toMatchObject({
      service: 'api',
      words: ['production'],
      command: ['true'],
    });
  });

  it('does not take a positional service after --service, nor an env after --env', () => {
    expect(split(['--service', 'api', 'web', 'true'])).toMatchObject({
      service: 'api',
      words: [],
      command: ['web', 'true'],
    });
    expect(split(['--env', 'test', 'production', 'true'])).toMatchObject({
      env: 'test',
      words: [],
      command: ['production', 'true'],
    });
  });

  it('a flag without its value is a usage error', () => {
    for (const argv of [['--env'], ['api', '--service'], ['-e']]) {
      let error: unknown;
      try {
        split(argv);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KagiError);
      expect((error as KagiError).exitCode).toBe(EXIT.usage);
    }
  });

  it('notes -h/--help before the command, and an empty command', () => {
    expect(split(['-h'])).toMatchObject({ help: true, command: [] });
    expect(split(['api', '--help'])).toMatchObject({ help: true, words: ['api'], command: [] });
    expect(split([])).toEqual({ words: [], help: false, command: [] });
    expect(split(['api', '--'])).toMatchObject({ words: ['api'], command: [] });
  });
});
