// `git kagi env add|rename|del|list` end to end: renames re-encrypt and move the default, deletes
// need the typed name on a terminal and spare the default, envs never share a service's name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, kagi, kagiOnTerminal, makePerson, makeRepo, must } from './harness.js';

afterAll(cleanup);

describe('env', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--envs', '--nested', 'apps/api']));
  must(kagi(alice, repo, ['set', 'api', 'KEY', 'dev-value']));
  must(kagi(alice, repo, ['set', 'development', 'WIDE', 'dev-wide-value']));
  must(kagi(alice, repo, ['set', 'api', 'production', 'KEY', 'prod-value']));
  const secrets = path.join(repo, '.kagi', 'secrets');
  const config = () => JSON.parse(readFileSync(path.join(repo, '.kagi', 'kagi.json'), 'utf8'));
  const printenv = (args: string[], name: string) =>
    kagi(alice, repo, ['run', ...args, '--', 'printenv', name]);

  it('list shows every env, the default, and its scopes', () => {
    const r = kagi(alice, repo, ['env', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^development \(default\) +.*\bapi\/development\b/m);
    expect(r.stdout).toMatch(/^test +/m);
    expect(r.stdout).toMatch(/^production +.*\bapi\/production\b/m);
    const json = JSON.parse(kagi(alice, repo, ['env', 'list', '--json']).stdout);
    expect(json.map((e: { name: string }) => e.name)).toEqual([
      'development',
      'test',
      'production',
    ]);
    expect(json.filter((e: { default: boolean }) => e.default)).toHaveLength(1);
  });

  it('add creates an env that set and run accept', () => {
    const r = kagi(alice, repo, ['env', 'add', 'staging']);
    expect(r.code).toBe(0);
    expect(config().envs).toContain('staging');
    expect(existsSync(path.join(secrets, 'staging.enc'))).toBe(true);
    expect(kagi(alice, repo, ['set', 'api', 'staging', 'KEY', 'staging-value']).code).toBe(0);
    expect(printenv(['api', 'staging'], 'KEY').stdout).toBe('staging-value\n');
  });

  it('add refuses an existing env, an invalid name and a service name (exit 2)', () => {
    const before = readFileSync(path.join(repo, '.kagi', 'kagi.json'), 'utf8');
    for (const [name, message] of [
      ['staging', /already exists/],
      ['Bad Name', /invalid environment name/],
      ['api', /already a service/],
    ] as const) {
      const r = kagi(alice, repo, ['env', 'add', name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^error: /m);
    }
    expect(readFileSync(path.join(repo, '.kagi', 'kagi.json'), 'utf8')).toBe(before);
  });

  it('rename re-encrypts every scope of the env; values still read under the new name', () => {
    const oldStore = readFileSync(path.join(secrets, 'api', 'staging.enc'), 'utf8');
    const r = kagi(alice, repo, ['env', 'rename', 'staging', 'stage']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('api/staging → api/stage');
    expect(config().envs).toEqual(['development', 'test', 'production', 'stage']);
    expect(existsSync(path.join(secrets, 'api', 'staging.enc'))).toBe(false);
    expect(existsSync(path.join(secrets, 'staging.enc'))).toBe(false);
    const newStore = readFileSync(path.join(secrets, 'api', 'stage.enc'), 'utf8');
    // Re-encrypted: not one payload is carried over.
    const payloads = (text: string) =>
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(' ')[2]);
    expect(payloads(newStore)).toHaveLength(1);
    expect(payloads(newStore)).not.toEqual(payloads(oldStore));
    expect(printenv(['api', 'stage'], 'KEY').stdout).toBe('staging-value\n');
    const gone = kagi(alice, repo, ['set', 'api', 'staging', 'KEY', 'x']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/unknown environment 'staging'/);
  });

  it('rename of the default env moves the default', () => {
    const r = kagi(alice, repo, ['env', 'rename', 'development', 'dev']);
    expect(r.code).toBe(0);
    expect(config().default_env).toBe('dev');
    expect(printenv(['api'], 'KEY').stdout).toBe('dev-value\n');
    expect(printenv(['api'], 'WIDE').stdout).toBe('dev-wide-value\n');
    expect(kagi(alice, repo, ['env', 'list']).stdout).toMatch(/^dev \(default\)/m);
  });

  it('rename refuses an unknown env, an existing env and a service name', () => {
    expect(kagi(alice, repo, ['env', 'rename', 'nope', 'other']).code).toBe(2);
    expect(kagi(alice, repo, ['env', 'rename', 'stage', 'production']).code).toBe(2);
    const service = kagi(alice, repo, ['env', 'rename', 'stage', 'api']);
    expect(service.code).toBe(2);
    expect(service.stderr).toMatch(/already a service/);
    expect(config().envs).toContain('stage');
  });

  it('del refuses without a terminal and deletes nothing', () => {
    const r = kagi(alice, repo, ['env', 'del', 'stage']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*terminal/m);
    expect(config().envs).toContain('stage');
    expect(existsSync(path.join(secrets, 'api', 'stage.enc'))).toBe(true);
  });

  it('del deletes nothing when the typed name does not match', () => {
    const r = kagiOnTerminal(alice, repo, ['env', 'del', 'stage'], ['stag\r']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/error: .*did not match/);
    expect(config().envs).toContain('stage');
    expect(existsSync(path.join(secrets, 'api', 'stage.enc'))).toBe(true);
  });

  it('del removes the env and its stores after its name is typed', () => {
    const r = kagiOnTerminal(alice, repo, ['env', 'del', 'stage'], ['stage\r']);
    expect(r.code).toBe(0);
    expect(config().envs).toEqual(['dev', 'test', 'production']);
    expect(existsSync(path.join(secrets, 'api', 'stage.enc'))).toBe(false);
    expect(existsSync(path.join(secrets, 'stage.enc'))).toBe(false);
    expect(printenv(['api', 'production'], 'KEY').stdout).toBe('prod-value\n');
  });

  it('del cannot delete the default env, even when its name is typed', () => {
    const before = readdirSync(path.join(secrets, 'api')).sort();
    const r = kagiOnTerminal(alice, repo, ['env', 'del', 'dev'], ['dev\r']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/error: 'dev' is the default environment/);
    expect(config().envs).toContain('dev');
    expect(readdirSync(path.join(secrets, 'api')).sort()).toEqual(before);
    expect(printenv(['api'], 'KEY').stdout).toBe('dev-value\n');
  });

  it('an env may not be named like a service: init refuses it too', () => {
    const repo2 = makeRepo(alice);
    const r = kagi(alice, repo2, ['init', '--envs', 'development,api', '--nested', 'apps/api']);
    expect(r.code).toBe(2);
    expect(existsSync(path.join(repo2, '.kagi'))).toBe(false);
  });

  it('a new service may not take an env name: the word is read as the env', () => {
    const r = kagi(alice, repo, ['set', 'test', 'ONLY_TEST', 'x']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('in test');
    expect(existsSync(path.join(secrets, 'test'))).toBe(false);
  });
});
