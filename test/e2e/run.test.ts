// `git kagi run` end to end: which values the child sees (service over project-wide over parent),
// no KAGI_* variable in the child, exit codes and signals passed through, key sources for CI.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BIN,
  cleanup,
  kagi,
  kagiOnTerminal,
  makePerson,
  makeRepo,
  makeTempDir,
  must,
  readCachedKey,
  readChildEnv,
} from './harness.js';

afterAll(cleanup);

describe('run', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  const projectId = must(
    kagi(alice, repo, ['init', '--envs', '--nested', 'apps/api']),
  ).stdout.trim();
  must(kagi(alice, repo, ['set', 'production', 'SHARED', 'from-project-production']));
  must(kagi(alice, repo, ['set', 'production', 'KEY', 'from-project-production']));
  must(kagi(alice, repo, ['set', 'api', 'production', 'KEY', 'from-api-production']));
  must(kagi(alice, repo, ['set', 'api', 'KEY', 'from-api-development']));
  must(kagi(alice, repo, ['set', 'development', 'DEV_WIDE', 'from-project-development']));
  const keyHex = readCachedKey(alice, projectId);

  it('injects the service scope over the project-wide scope over the parent environment', () => {
    const env = readChildEnv(alice, repo, ['api', 'production', '--'], {
      KEY: 'from-parent',
      SHARED: 'from-parent',
      PARENT_ONLY: 'from-parent',
    });
    expect(env.KEY).toBe('from-api-production');
    expect(env.SHARED).toBe('from-project-production');
    expect(env.PARENT_ONLY).toBe('from-parent');
    expect(env.DEV_WIDE).toBeUndefined();
  });

  it('`run -- cmd` at the root uses the project-wide scope of the default env', () => {
    const env = readChildEnv(alice, repo, ['--'], { KEY: 'from-parent' });
    expect(env.DEV_WIDE).toBe('from-project-development');
    expect(env.KEY).toBe('from-parent');
  });

  it('`run api -- cmd` uses api in the default env, with its project-wide scope under it', () => {
    const env = readChildEnv(alice, repo, ['api', '--']);
    expect(env.KEY).toBe('from-api-development');
    expect(env.DEV_WIDE).toBe('from-project-development');
    expect(env.SHARED).toBeUndefined();
  });

  it('`run api production cmd` works without `--`, and so do --service/--env', () => {
    expect(readChildEnv(alice, repo, ['api', 'production']).KEY).toBe('from-api-production');
    expect(readChildEnv(alice, repo, ['--service', 'api', '--env', 'production', '--']).KEY).toBe(
      'from-api-production',
    );
    expect(readChildEnv(alice, repo, ['--env=production']).KEY).toBe('from-project-production');
  });

  it('inside the nested service folder the service is implied', () => {
    const folder = path.join(repo, 'apps', 'api');
    mkdirSync(folder, { recursive: true });
    expect(readChildEnv(alice, folder, ['--']).KEY).toBe('from-api-development');
    expect(readChildEnv(alice, folder, ['production', '--']).KEY).toBe('from-api-production');
  });

  it('passes no KAGI_* variable to the child, whatever the key source', () => {
    const identity = readFileSync(path.join(alice.home, 'identity.txt'), 'utf8');
    for (const extra of [
      { KAGI_DEBUG: '0', KAGI_SOMETHING: 'x' },
      { KAGI_PROJECT_KEY: keyHex },
      { KAGI_IDENTITY: identity },
    ]) {
      const env = readChildEnv(alice, repo, ['api', '--'], extra);
      expect(Object.keys(env).filter((k) => k.startsWith('KAGI_'))).toEqual([]);
      expect(JSON.stringify(env)).not.toContain(keyHex);
      expect(JSON.stringify(env)).not.toContain('AGE-SECRET-KEY-');
      expect(env.KEY).toBe('from-api-development');
    }
  });

  it('each Ctrl-C on a terminal reaches the child once, not once more forwarded', () => {
    const log = path.join(makeTempDir('kagi-ctrl-c-'), 'signals');
    // Logs each SIGINT; exits 0 once a second passes without one.
    const script = `const fs = require('fs'); let idle = setTimeout(() => process.exit(1), 8000); process.on('SIGINT', () => { fs.appendFileSync(${JSON.stringify(log)}, 'INT\\n'); clearTimeout(idle); idle = setTimeout(() => process.exit(0), 1000); });`;
    // bash execs a lone command (dash would stay the parent and die of the Ctrl-C itself).
    const onTerminal = { ...alice, env: { ...alice.env, SHELL: '/bin/bash' } };
    const r = kagiOnTerminal(
      onTerminal,
      repo,
      ['run', 'api', '--', process.execPath, '-e', script],
      ['', '', '\u0003', '\u0003', '\u0003', '\u0003'],
    );
    expect(r.code).toBe(0);
    // A forwarded copy shows as an extra line (two signals close together may merge, so the bug
    // shows on most presses, not all: four make a miss unlikely).
    expect(readFileSync(log, 'utf8')).toBe('INT\n'.repeat(4));
  });

  // Two ways to start the child (DESIGN.md §6): the native process handle, and child_process
  // wherever the handle might warn, as with --pending-deprecation, or when KAGI_SPAWN asks for it.
  // All must behave alike.
  describe.each([
    { launcher: 'the process handle', nodeEnv: {} },
    { launcher: 'child_process', nodeEnv: { NODE_OPTIONS: '--pending-deprecation' } },
    { launcher: 'child_process, as KAGI_SPAWN asks', nodeEnv: { KAGI_SPAWN: 'child_process' } },
  ])('started through $launcher', ({ nodeEnv }) => {
    const run = (args: string[], stdin = '') => kagi(alice, repo, ['run', ...args], stdin, nodeEnv);

    it("passes the child's exit code through, and warns about nothing", () => {
      const failed = run(['--', 'sh', '-c', 'exit 7']);
      expect(failed.code).toBe(7);
      expect(failed.stderr).toBe('');
      expect(run(['api', 'sh', '-c', 'exit 0']).code).toBe(0);
      expect(run(['api', 'production', '--', 'false']).code).toBe(1);
    });

    it('gives the child the values, its arguments, stdin and stdout', () => {
      const r = run(
        ['api', '--', 'sh', '-c', 'printf "%s|%s|" "$KEY" "$1"; cat', 'sh', 'a b'],
        'in',
      );
      expect(r.stdout).toBe('from-api-development|a b|in');
      expect(r.stderr).toBe('');
    });

    it('exits 128+n when a signal killed the child', () => {
      expect(run(['--', 'sh', '-c', 'kill -KILL $$']).code).toBe(137);
      expect(run(['--', 'sh', '-c', 'kill -TERM $$']).code).toBe(143);
    });

    it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
      'forwards %s sent to git-kagi to the child',
      async (signal) => {
        const dir = makeTempDir('kagi-signal-');
        const ready = path.join(dir, 'ready');
        const got = path.join(dir, 'got');
        const script = `trap 'echo "$KEY" > "${got}"; exit 0' ${signal.slice(3)}; : > "${ready}"; while :; do sleep 0.05; done`;
        const child = spawn(process.execPath, [BIN, 'run', 'api', '--', 'sh', '-c', script], {
          cwd: repo,
          env: { ...alice.env, ...nodeEnv },
          stdio: 'ignore',
        });
        const exited = new Promise<number | null>((resolve) =>
          child.on('exit', (code) => resolve(code)),
        );
        for (let i = 0; i < 200 && !existsSync(ready); i++) await sleep(25);
        expect(existsSync(ready)).toBe(true);
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(readFileSync(got, 'utf8')).toBe('from-api-development\n');
      },
    );

    it('exits 127 with a clear error when the command does not exist', () => {
      const r = run(['api', '--', 'no-such-command-kagi']);
      expect(r.code).toBe(127);
      expect(r.stderr).toMatch(/^error: command not found: no-such-command-kagi$/m);
      expect(r.stderr).toMatch(/^hint: /m);
      expect(r.stdout).toBe('');
    });

    it('exits 126 with a clear error when the command cannot be executed', () => {
      const script = path.join(makeTempDir('kagi-noexec-'), 'script.sh');
      writeFileSync(script, '#!/bin/sh\necho ran\n', { mode: 0o644 });
      const r = run(['api', '--', script]);
      expect(r.code).toBe(126);
      expect(r.stderr).toMatch(/^error: cannot execute .*script\.sh: permission denied$/m);
      expect(r.stdout).toBe('');
    });

    it('a value too large for the environment is a clear error, not an internal one', () => {
      const big = `big-value-${'x'.repeat(200_000)}`;
      expect(kagi(alice, repo, ['set', 'api', 'test', 'HUGE'], big).code).toBe(0);
      const r = run(['api', 'test', '--', 'true']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: the environment is too large to start true$/m);
      expect(r.stderr).toMatch(/^hint: .*128 KiB/m);
      expect(r.stderr).not.toContain('big-value');
    });
  });

  it('without a command is a usage error (exit 2)', () => {
    const r = kagi(alice, repo, ['run', 'api']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no command to run/m);
  });

  it('refuses a KAGI_SPAWN it does not know (exit 2) before the program starts', () => {
    const marker = path.join(makeTempDir('kagi-spawn-'), 'started');
    const r = kagi(alice, repo, ['run', 'api', '--', 'touch', marker], '', {
      KAGI_SPAWN: 'posix-spawn-please',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: KAGI_SPAWN has a value git kagi does not know/m);
    expect(r.stderr).not.toContain('posix-spawn-please');
    expect(existsSync(marker)).toBe(false);
  });

  it('works from a fresh KAGI_HOME with KAGI_PROJECT_KEY or KAGI_PROJECT_KEY_FILE', () => {
    const ci = makePerson('ci');
    const r = kagi(ci, repo, ['run', 'api', 'production', '--', 'printenv', 'KEY'], '', {
      KAGI_PROJECT_KEY: keyHex,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('from-api-production\n');
    const file = path.join(makeTempDir(), 'key');
    writeFileSync(file, `${keyHex}\n`, { mode: 0o600 });
    const fromFile = kagi(ci, repo, ['run', 'api', '--', 'printenv', 'KEY'], '', {
      KAGI_PROJECT_KEY_FILE: file,
    });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe('from-api-development\n');
  });

  it('a wrong KAGI_PROJECT_KEY exits 3 without starting the command', () => {
    const ci = makePerson('ci');
    const marker = path.join(makeTempDir(), 'started');
    const r = kagi(ci, repo, ['run', 'api', '--', 'sh', '-c', `: > "${marker}"`], '', {
      KAGI_PROJECT_KEY: randomBytes(32).toString('hex'),
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: KAGI_PROJECT_KEY is not the current key/m);
    expect(existsSync(marker)).toBe(false);
  });

  it('a KAGI_PROJECT_KEY that is not 64 hex characters is a usage error', () => {
    const r = kagi(alice, repo, ['run', 'api', '--', 'true'], '', { KAGI_PROJECT_KEY: 'xyz' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: KAGI_PROJECT_KEY is not a project key/m);
    expect(r.stderr).not.toContain('xyz');
  });
});
