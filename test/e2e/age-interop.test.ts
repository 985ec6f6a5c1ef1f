// Interoperability with the real `age` and `age-keygen` tools (DESIGN §2–3): their identities work
// as device and machine identities, and every wrapped_key is an age file they decrypt.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessPath,
  cleanup,
  kagi,
  kagiOk,
  makePerson,
  makeRepo,
  makeTempDir,
  type Person,
  readAccess,
  readAccessText,
  writeAccess,
} from './harness.js';
import { joinAndApprove } from './team.js';

afterAll(cleanup);

const SECRETS = { API_KEY: 'interop-api-key-Wn3kQ8', DB_URL: 'postgres://interop@db/x' };

/** Runs an age tool; throws with its stderr on failure unless `allowFailure`. */
function age(tool: 'age' | 'age-keygen', args: string[], input?: string, allowFailure = false) {
  const r = spawnSync(tool, args, { encoding: 'utf8', input });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFailure) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** A new identity file written by `age-keygen -o`. */
function keygen(): string {
  const file = path.join(makeTempDir('kagi-agekey-'), 'key.txt');
  age('age-keygen', ['-o', file]);
  return file;
}

function recipientOf(identityFile: string): string {
  return age('age-keygen', ['-y', identityFile]).stdout.trim();
}

/** `age -d -i identity` on a wrapped_key written to a file, as a user would do it. */
function decryptWithAge(wrapped: string, identityFile: string) {
  const file = path.join(makeTempDir('kagi-wrapped-'), 'wrapped.age');
  writeFileSync(file, wrapped);
  return age('age', ['-d', '-i', identityFile, file], undefined, true);
}

/** What `run api` injects, for the secrets this file sets. */
function readSecrets(person: Person, cwd: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const args = ['run', 'api', '--', 'printenv', 'API_KEY', 'DB_URL'];
  const out = kagiOk(person, cwd, args, '', extraEnv).stdout;
  const [API_KEY, DB_URL] = out.split('\n');
  return { API_KEY, DB_URL };
}

/** A KAGI_HOME that holds nothing: a machine's. */
function emptyHome(): string {
  return path.join(makeTempDir('kagi-machine-'), 'kagi');
}

let alice: Person;
let repo: string;
let projectId: string;

/** A teammate whose device identity is an age-keygen file copied into a fresh KAGI_HOME. */
function personWithAgeKey(name: string, identityFile: string): Person {
  const person = makePerson(name);
  mkdirSync(person.home, { recursive: true, mode: 0o700 });
  copyFileSync(identityFile, path.join(person.home, 'identity.txt'));
  chmodSync(path.join(person.home, 'identity.txt'), 0o600);
  return person;
}

beforeAll(() => {
  alice = makePerson('alice');
  repo = makeRepo(alice);
  projectId = kagiOk(alice, repo, ['init', '--name', 'alice']).stdout.trim();
  for (const [name, value] of Object.entries(SECRETS))
    kagiOk(alice, repo, ['set', 'api', name, value]);
});

describe('identities made by age-keygen', () => {
  it('work as a device identity: join, approval, then reading secrets', () => {
    const key = keygen();
    const dave = personWithAgeKey('dave', key);
    const id = joinAndApprove(dave, alice, repo);
    // join used the identity as it was, and registered its recipient.
    expect(readFileSync(path.join(dave.home, 'identity.txt'), 'utf8')).toBe(
      readFileSync(key, 'utf8'),
    );
    expect(readAccess(repo).members.find((m) => m.id === id)?.recipient).toBe(recipientOf(key));
    expect(readSecrets(dave, repo)).toEqual(SECRETS);
  });

  it('work as a machine identity through KAGI_IDENTITY_FILE and KAGI_IDENTITY', () => {
    const key = keygen();
    // Registered once from a scratch home holding the age-keygen file…
    joinAndApprove(personWithAgeKey('deploy', key), alice, repo);
    // …then used from machines that hold nothing but the identity.
    expect(readSecrets(alice, repo, { KAGI_HOME: emptyHome(), KAGI_IDENTITY_FILE: key })).toEqual(
      SECRETS,
    );
    const text = readFileSync(key, 'utf8');
    expect(readSecrets(alice, repo, { KAGI_HOME: emptyHome(), KAGI_IDENTITY: text })).toEqual(
      SECRETS,
    );
    const bare = text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'));
    expect(readSecrets(alice, repo, { KAGI_HOME: emptyHome(), KAGI_IDENTITY: bare })).toEqual(
      SECRETS,
    );
  });

  it('a machine identity that is not a member is refused (exit 3)', () => {
    const r = kagi(alice, repo, ['get', '--json'], '', {
      KAGI_HOME: emptyHome(),
      KAGI_IDENTITY_FILE: keygen(),
    });
    expect(r.code).toBe(3);
  });
});

describe('wrapped keys are age files', () => {
  /** Every active member's identity file, by recipient. */
  const identities = new Map<string, string>();

  beforeAll(() => {
    identities.set(
      recipientOf(path.join(alice.home, 'identity.txt')),
      path.join(alice.home, 'identity.txt'),
    );
    const erin = personWithAgeKey('erin', keygen());
    joinAndApprove(erin, alice, repo);
    identities.set(
      recipientOf(path.join(erin.home, 'identity.txt')),
      path.join(erin.home, 'identity.txt'),
    );
    const machine = path.join(makeTempDir('kagi-ci-'), 'ci.txt');
    kagiOk(alice, repo, ['member', 'add-machine', 'ci', '--out', machine]);
    identities.set(recipientOf(machine), machine);
  });

  /** Checks every wrapped_key we hold an identity for; returns the root key they all carry. */
  function rootKeyFromAge(): string {
    const roots = new Set<string>();
    const active = readAccess(repo).members.filter((m) => m.status === 'active');
    for (const member of active) {
      const wrapped = member.wrapped_key as string;
      expect(wrapped).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
      const identity = identities.get(member.recipient);
      if (!identity) continue;
      const r = decryptWithAge(wrapped, identity);
      expect(r.status, `${member.name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^[0-9a-f]{64}$/);
      roots.add(r.stdout);
      // One recipient per file: nobody else's identity opens it.
      for (const [recipient, other] of identities) {
        if (recipient !== member.recipient)
          expect(decryptWithAge(wrapped, other).status).not.toBe(0);
      }
    }
    expect([...identities.keys()].every((r) => active.some((m) => m.recipient === r))).toBe(true);
    expect(roots.size).toBe(1);
    return [...roots][0] as string;
  }

  it('`age -d -i identity` on each wrapped_key prints the root key KAGI_PROJECT_KEY takes', () => {
    const root = rootKeyFromAge();
    const fresh = { KAGI_HOME: emptyHome(), KAGI_PROJECT_KEY: root };
    const listed = JSON.parse(kagiOk(alice, repo, ['get', '--json'], '', fresh).stdout) as {
      name: string;
    }[];
    expect(listed.map((row) => row.name).sort()).toEqual(Object.keys(SECRETS).sort());
    expect(readSecrets(alice, repo, fresh)).toEqual(SECRETS);
  });

  it('after a rotation the new wrapped keys still open with age, to the new key only', () => {
    const before = rootKeyFromAge();
    kagiOk(alice, repo, ['rotate']);
    const after = rootKeyFromAge();
    expect(after).not.toBe(before);
    expect(readSecrets(alice, repo, { KAGI_HOME: emptyHome(), KAGI_PROJECT_KEY: after })).toEqual(
      SECRETS,
    );
    const stale = kagi(alice, repo, ['get', '--json'], '', {
      KAGI_HOME: emptyHome(),
      KAGI_PROJECT_KEY: before,
    });
    expect(stale.code).toBe(3);
  });

  it('a wrapped_key made by the age command line is read by git kagi', () => {
    const key = keygen();
    const frank = personWithAgeKey('frank', key);
    const id = joinAndApprove(frank, alice, repo);
    const root = rootKeyFromAge();
    // Replace frank's wrapped key with one `age -e -a` made (the seal does not cover the wrapping).
    const wrapped = age('age', ['-e', '-a', '-r', recipientOf(key)], root).stdout;
    const original = readAccessText(repo);
    const access = readAccess(repo);
    const entry = access.members.find((m) => m.id === id);
    if (!entry) throw new Error('frank is missing');
    entry.wrapped_key = wrapped;
    writeAccess(repo, access);
    expect(readAccess(repo).members.find((m) => m.id === id)?.wrapped_key).toBe(wrapped);
    expect(readSecrets(frank, repo)).toEqual(SECRETS);
    writeFileSync(accessPath(repo), original);
  });
});

describe('the identity git kagi creates', () => {
  it('is an age identity file: 0600, `age-keygen -y` gives the recipient access.json lists', () => {
    const file = path.join(alice.home, 'identity.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(alice.home).mode & 0o777).toBe(0o700);
    const recipient = recipientOf(file);
    expect(recipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    const me = readAccess(repo).members.find((m) => m.name === 'alice');
    expect(me?.recipient).toBe(recipient);
    expect(projectId).toBe(readAccess(repo).project_id);
    // And age itself encrypts to that recipient and decrypts with the file.
    const sealed = age('age', ['-e', '-r', recipient, '-a'], 'hello from age').stdout;
    expect(decryptWithAge(sealed, file).stdout).toBe('hello from age');
  });
});
