// Concurrent writers in one clone (DESIGN §4 lock): eight `set` processes at once on one scope, and
// `set` racing a `rotate`; nothing is lost, nothing is left behind, every line is at one epoch.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStore } from '../../src/core/store.js';
import {
  BIN,
  cleanup,
  expectOk,
  git,
  kagiOk,
  makePerson,
  makeRepo,
  type Person,
  type Result,
  readAccess,
} from './harness.js';
import { findLeftovers } from './tree.js';

afterAll(cleanup);

/** Runs the binary without waiting, so several run at once. */
function start(person: Person, cwd: string, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: person.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
  });
}

/** NAME → value of every variable `run <words>` injects that starts with `prefix`. */
function injected(person: Person, repo: string, words: string[], prefix: string) {
  const r = kagiOk(person, repo, ['run', ...words, '--', 'printenv']);
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith(prefix))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** The epochs of access.json and of every line of every store. */
function epochs(person: Person, repo: string): Set<number> {
  const found = new Set<number>();
  found.add(readAccess(repo).epoch);
  const files = git(person, repo, ['ls-files', '-co', '--exclude-standard', '.kagi'])
    .stdout.split('\n')
    .filter((f) => f.endsWith('.enc'));
  for (const file of files) {
    const scope = file.replace(/^\.kagi\/secrets\//, '').replace(/\.enc$/, '');
    for (const line of parseStore(readFileSync(path.join(repo, file), 'utf8'), scope, file))
      found.add(line.epoch);
  }
  return found;
}

describe('concurrent writers', () => {
  it('eight `set` at once on one scope: all succeed, all eight keys are there', async () => {
    const alice = makePerson('alice');
    const repo = makeRepo(alice);
    kagiOk(alice, repo, ['init', '--name', 'alice']);
    kagiOk(alice, repo, ['set', 'api', 'EXISTING', 'existing-value']);
    const expected: Record<string, string> = { EXISTING: 'existing-value' };
    const runs = Array.from({ length: 8 }, (_, i) => {
      expected[`KEY_${i}`] = `value-${i}-${'x'.repeat(i)}`;
      return start(alice, repo, ['set', 'api', `KEY_${i}`, `value-${i}-${'x'.repeat(i)}`]);
    });
    const results = await Promise.all(runs);
    for (const r of results) expectOk(r, 'a concurrent set');
    const seen = injected(alice, repo, ['api'], '');
    for (const [name, value] of Object.entries(expected)) expect(seen[name]).toBe(value);
    expect(findLeftovers(repo)).toEqual([]);
    const store = readFileSync(path.join(repo, '.kagi/secrets/api/development.enc'), 'utf8');
    expect(store.trimEnd().split('\n')).toHaveLength(1 + 9);
  });

  it('`set` racing `rotate`: every value readable afterwards, every line at the new epoch', async () => {
    const alice = makePerson('alice');
    const repo = makeRepo(alice);
    kagiOk(alice, repo, ['init', '--name', 'alice', '--envs']);
    const expected: Record<string, string> = {};
    for (const scope of [['api'], ['api', 'production'], ['web'], ['production']]) {
      for (const i of [1, 2, 3]) {
        const name = `OLD_${scope.join('_').toUpperCase()}_${i}`;
        expected[name] = `old-${name.toLowerCase()}`;
        kagiOk(alice, repo, ['set', ...scope, name, expected[name] as string]);
      }
    }
    const rotation = start(alice, repo, ['rotate']);
    // Sets that start before, during and after the rotation takes the lock.
    const sets: Array<{ name: string; value: string; result: Promise<Result> }> = [];
    for (let i = 0; i < 6; i++) {
      const name = `NEW_${i}`;
      const value = `new-value-${i}`;
      sets.push({ name, value, result: start(alice, repo, ['set', 'api', name, value]) });
      await sleep(40);
    }
    const rotated = await rotation;
    expectOk(rotated, 'rotate');

    for (const { name, value, result } of sets) {
      const r = await result;
      if (r.code !== 0) {
        // A writer that waited while the key changed refuses, says why, and shows no value…
        expect(r.stderr).toMatch(/^error: the project key changed while this command was waiting/m);
        expect(r.stderr).not.toContain(value);
        // …and succeeds when run again.
        kagiOk(alice, repo, ['set', 'api', name, value]);
      }
      expected[name] = value;
    }

    expect(epochs(alice, repo)).toEqual(new Set([2]));
    expect(findLeftovers(repo)).toEqual([]);
    const seen = {
      ...injected(alice, repo, ['api', 'production'], ''),
      ...injected(alice, repo, ['web'], ''),
      ...injected(alice, repo, ['api'], ''),
    };
    for (const [name, value] of Object.entries(expected)) expect(seen[name], name).toBe(value);
  });
});
