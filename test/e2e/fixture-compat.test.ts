// Formats are promises: a project made by release 0.1.0 (test/fixtures/v0.1.0, made once by that
// release with test/fixtures/make-fixture.mjs: three members, a machine, two environments, one
// rotation that removed a member) works with this build, in a fresh clone on each teammate's own
// device, and gives its removed member nothing.
import { chmodSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  expectOk,
  git,
  kagi,
  kagiOk,
  makePerson,
  makeTempDir,
  type Person,
  readCachedKey,
  readChildEnv,
} from './harness.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/v0.1.0/', import.meta.url));

interface Expected {
  format: string;
  project_id: string;
  epoch: number;
  members: Record<string, { id: string; status: string }>;
  secrets: Array<{ scope: string; name: string; value: string }>;
}
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Expected;

/** A teammate of the fixture: their KAGI_HOME as that release left it (modes git does not keep). */
function fixturePerson(name: string): Person {
  const person = makePerson(name);
  cpSync(path.join(FIXTURE, 'homes', name), person.home, { recursive: true });
  chmodSync(person.home, 0o700);
  chmodSync(path.join(person.home, 'projects'), 0o700);
  chmodSync(path.join(person.home, 'identity.txt'), 0o600);
  for (const file of readdirSync(path.join(person.home, 'projects')))
    chmodSync(path.join(person.home, 'projects', file), 0o600);
  return person;
}

function cloneFixture(person: Person): string {
  const dir = path.join(makeTempDir(`kagi-fixture-${person.name}-`), 'repo');
  git(person, path.dirname(dir), ['clone', '-q', path.join(FIXTURE, 'repo.bundle'), dir]);
  // The first command in a fresh clone sets up its drivers and hooks, with a notice.
  expect(kagi(person, dir, ['status']).stderr).toMatch(/set up the merge drivers/);
  return dir;
}

/** `run`'s view of a scope: service/env → the words of `run`. */
const runWords = (scope: string) => (scope.includes('/') ? scope.split('/') : [scope]);

afterAll(cleanup);

describe('a project made by git-kagi 0.1.0', () => {
  let bob: Person;
  let bobRepo: string;
  beforeAll(() => {
    expect(expected.format).toBe('git-kagi/1');
    bob = fixturePerson('bob');
    bobRepo = cloneFixture(bob);
  });

  it('is read by this build: every secret, through run, on a member device', () => {
    for (const { scope, name, value } of expected.secrets) {
      const env = readChildEnv(bob, bobRepo, runWords(scope));
      expect(env[name], `${scope} ${name}`).toBe(value);
    }
  });

  it('verifies, with the key, in a fresh clone', () => {
    const r = kagiOk(bob, bobRepo, ['verify']);
    expect(r.stdout + r.stderr).toMatch(/\bok\b/);
  });

  it('lists its members as they were', () => {
    const r = kagiOk(bob, bobRepo, ['member', 'list']);
    for (const [name, { id }] of Object.entries(expected.members)) {
      expect(r.stdout + r.stderr).toContain(id);
      expect(r.stdout + r.stderr).toContain(name);
    }
  });

  it('serves the machine from a fresh KAGI_HOME through KAGI_IDENTITY_FILE', () => {
    const ci = makePerson('ci', { KAGI_IDENTITY_FILE: path.join(FIXTURE, 'ci-identity.txt') });
    const repo = cloneFixture(ci);
    const secret = expected.secrets.find(
      (s) => s.scope === 'api/production',
    ) as Expected['secrets'][number];
    const env = readChildEnv(ci, repo, runWords(secret.scope));
    expect(env[secret.name]).toBe(secret.value);
  });

  it('gives the removed member nothing, with her device or her old cached key', () => {
    const carol = fixturePerson('carol');
    // What she kept from before her removal: the key of epoch 1, cached on her device.
    expect(readCachedKey(carol, expected.project_id)).toMatch(/^[0-9a-f]{64}$/);
    const repo = cloneFixture(carol);
    for (const args of [['get'], ['run', 'api', 'production', '--', 'printenv']]) {
      const r = kagi(carol, repo, args);
      expect(r.code, args.join(' ')).toBe(3);
      for (const { value } of expected.secrets) {
        expect(r.stdout).not.toContain(value);
        expect(r.stderr).not.toContain(value);
      }
    }
  });

  it('takes a new secret from its owner, which every member then reads', () => {
    const alice = fixturePerson('alice');
    const repo = cloneFixture(alice);
    expectOk(
      kagi(alice, repo, ['set', 'api', 'production', 'ADDED_LATER'], 'added-later-Vx31'),
      'set',
    );
    expect(readChildEnv(alice, repo, ['api', 'production']).ADDED_LATER).toBe('added-later-Vx31');
    expectOk(kagi(alice, repo, ['verify']), 'verify after a write');
  });
});
