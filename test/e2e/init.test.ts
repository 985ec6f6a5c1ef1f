// `git kagi init` end to end: the files it creates, --envs/--nested, the .gitignore block, refusal
// over an existing project (and --force only after a "yes" on a terminal), $KAGI_HOME modes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  git,
  kagi,
  kagiOnTerminal,
  makePerson,
  makeRepo,
  makeTempDir,
  must,
} from './harness.js';
import { snapshotTree } from './tree.js';

afterAll(cleanup);

const BLOCK_START = '# >>> git-kagi';

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Canonical JSON (DESIGN §2): keys sorted, two-space indent, trailing newline. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

function countBlocks(text: string): number {
  return text.split(BLOCK_START).length - 1;
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

describe('init in a fresh repository', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  const result = must(kagi(alice, repo, ['init', '--name', 'alice']));
  const kagiDir = path.join(repo, '.kagi');

  it('succeeds and prints the project id on stdout', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kgp_[A-Za-z0-9_-]{12}\n$/);
    expect(result.stderr).toContain('Initialised git-kagi project');
    expect(result.stderr).not.toMatch(/^error:/m);
  });

  it('writes kagi.json with one default env, no nesting, canonically', () => {
    const text = readFileSync(path.join(kagiDir, 'kagi.json'), 'utf8');
    const config = JSON.parse(text);
    expect(config).toEqual({
      format: 'git-kagi/1',
      project_id: result.stdout.trim(),
      envs: ['development'],
      default_env: 'development',
      nested: false,
    });
    expect(text).toBe(canonical(config));
  });

  it('writes access.json with one active, sealed member holding a wrapped key', () => {
    const text = readFileSync(path.join(kagiDir, 'access.json'), 'utf8');
    const access = JSON.parse(text);
    expect(text).toBe(canonical(access));
    expect(access.project_id).toBe(result.stdout.trim());
    expect(access.epoch).toBe(1);
    expect(access.key_id).toMatch(/^kid_[A-Za-z0-9_-]+$/);
    expect(access.history).toEqual([]);
    expect(access.members).toHaveLength(1);
    const [member] = access.members;
    expect(member.id).toMatch(/^kgm_[A-Za-z0-9_-]{12}$/);
    expect(member.name).toBe('alice');
    expect(member.status).toBe('active');
    expect(member.recipient).toMatch(/^age1[a-z0-9]+$/);
    expect(member.approved_by).toBe(member.id);
    expect(member.seal).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(member.wrapped_key).toContain('-----BEGIN AGE ENCRYPTED FILE-----');
    expect(result.stderr).toContain(member.id);
  });

  it('creates the project-wide store of the env with only its header line', () => {
    expect(readdirSync(path.join(kagiDir, 'secrets'))).toEqual(['development.enc']);
    const store = readFileSync(path.join(kagiDir, 'secrets', 'development.enc'), 'utf8');
    expect(store.trimEnd().split('\n')).toHaveLength(1);
    expect(store).toMatch(/^# git-kagi store development\b/);
  });

  it('writes the .gitignore block once: .env and .env.* ignored, .env.example kept', () => {
    const text = readFileSync(path.join(repo, '.gitignore'), 'utf8');
    expect(countBlocks(text)).toBe(1);
    for (const file of ['.env', '.env.local', 'apps/api/.env.production']) {
      expect(git(alice, repo, ['check-ignore', '-q', file], true).code).toBe(0);
    }
    expect(git(alice, repo, ['check-ignore', '-q', '.env.example'], true).code).toBe(1);
  });

  it('keeps the identity 0600 in a 0700 KAGI_HOME, and caches the key 0600', () => {
    expect(mode(alice.home)).toBe(0o700);
    const identity = path.join(alice.home, 'identity.txt');
    expect(mode(identity)).toBe(0o600);
    expect(readFileSync(identity, 'utf8')).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/m);
    const keyFile = path.join(alice.home, 'projects', `${result.stdout.trim()}.key`);
    expect(mode(keyFile)).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(result.stderr).toContain("Created this device's identity");
  });

  it('keeps the identity out of the repository', () => {
    const identity = readFileSync(path.join(alice.home, 'identity.txt'), 'utf8');
    const secret = identity.match(/^AGE-SECRET-KEY-1[0-9A-Z]+$/m)?.[0] as string;
    for (const content of Object.values(snapshotTree(repo))) {
      expect(Buffer.from(content, 'base64').toString('latin1')).not.toContain(secret);
    }
  });

  it('commits with real git, leaving a clean tree', () => {
    git(alice, repo, ['add', '.kagi', '.gitignore', '.gitattributes']);
    git(alice, repo, ['commit', '-q', '-m', 'git-kagi']);
    const files = git(alice, repo, ['ls-files']).stdout.split('\n').filter(Boolean);
    expect(files).toEqual(
      expect.arrayContaining([
        '.gitignore',
        '.gitattributes',
        '.kagi/access.json',
        '.kagi/kagi.json',
        '.kagi/secrets/development.enc',
      ]),
    );
    expect(git(alice, repo, ['status', '--porcelain']).stdout).toBe('');
    // A teammate's own command on the committed state still works.
    expect(kagi(alice, repo, ['status']).code).toBe(0);
  });

  it('refuses a second init without --force and changes nothing', () => {
    const before = snapshotTree(repo);
    const again = kagi(alice, repo, ['init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*already has a \.kagi\/ folder/m);
    expect(again.stderr).toMatch(/^hint: .*--force/m);
    expect(again.stdout).toBe('');
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('refuses --force without a terminal and changes nothing', () => {
    const before = snapshotTree(repo);
    const forced = kagi(alice, repo, ['init', '--force']);
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toMatch(/^error: .*terminal/m);
    expect(forced.stdout).toBe('');
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('a second project on the same device reuses its identity', () => {
    const identity = readFileSync(path.join(alice.home, 'identity.txt'), 'utf8');
    const other = makeRepo(alice);
    const r = kagi(alice, other, ['init']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("Created this device's identity");
    expect(readFileSync(path.join(alice.home, 'identity.txt'), 'utf8')).toBe(identity);
  });
});

describe('init options', () => {
  const bob = makePerson('bob');

  it('--envs alone means development, test, production', () => {
    const repo = makeRepo(bob);
    expect(kagi(bob, repo, ['init', '--envs']).code).toBe(0);
    const config = readJson(path.join(repo, '.kagi', 'kagi.json'));
    expect(config.envs).toEqual(['development', 'test', 'production']);
    expect(config.default_env).toBe('development');
    expect(readdirSync(path.join(repo, '.kagi', 'secrets')).sort()).toEqual([
      'development.enc',
      'production.enc',
      'test.enc',
    ]);
  });

  it('--envs a,b names the envs; the first is the default when there is no development', () => {
    const repo = makeRepo(bob);
    expect(kagi(bob, repo, ['init', '--envs', 'staging,prod']).code).toBe(0);
    const config = readJson(path.join(repo, '.kagi', 'kagi.json'));
    expect(config.envs).toEqual(['staging', 'prod']);
    expect(config.default_env).toBe('staging');
    expect(readdirSync(path.join(repo, '.kagi', 'secrets')).sort()).toEqual([
      'prod.enc',
      'staging.enc',
    ]);
  });

  it('--envs=a,b works too', () => {
    const repo = makeRepo(bob);
    expect(kagi(bob, repo, ['init', '--envs=development,qa']).code).toBe(0);
    expect(readJson(path.join(repo, '.kagi', 'kagi.json')).envs).toEqual(['development', 'qa']);
  });

  it('--nested apps/api,apps/web creates a store per service and env', () => {
    const repo = makeRepo(bob);
    const r = kagi(bob, repo, ['init', '--envs', '--nested', 'apps/api,apps/web']);
    expect(r.code).toBe(0);
    const config = readJson(path.join(repo, '.kagi', 'kagi.json'));
    expect(config.nested).toEqual({ 'apps/api': 'api', 'apps/web': 'web' });
    const secrets = path.join(repo, '.kagi', 'secrets');
    for (const service of ['api', 'web']) {
      expect(readdirSync(path.join(secrets, service)).sort()).toEqual([
        'development.enc',
        'production.enc',
        'test.enc',
      ]);
      expect(readFileSync(path.join(secrets, service, 'test.enc'), 'utf8')).toMatch(
        new RegExp(`^# git-kagi store ${service}/test\\b`),
      );
    }
    expect(statSync(path.join(secrets, 'production.enc')).isFile()).toBe(true);
  });

  it('--nested alone makes the first folder below the root a service', () => {
    const repo = makeRepo(bob);
    expect(kagi(bob, repo, ['init', '--nested']).code).toBe(0);
    expect(readJson(path.join(repo, '.kagi', 'kagi.json')).nested).toBe(true);
  });

  it('rejects a service folder named like an env, with exit 2 and nothing written', () => {
    const repo = makeRepo(bob);
    const r = kagi(bob, repo, ['init', '--envs', '--nested', 'apps/production']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*production/m);
    expect(() => statSync(path.join(repo, '.kagi'))).toThrow();
  });

  it('rejects an invalid env name with exit 2', () => {
    const repo = makeRepo(bob);
    const r = kagi(bob, repo, ['init', '--envs', 'Prod,dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid environment name 'Prod'/m);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(() => statSync(path.join(repo, '.kagi'))).toThrow();
  });

  it('fails outside a git repository', () => {
    const dir = makeTempDir();
    const r = kagi(bob, dir, ['init']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*git repository/m);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('init with an existing .gitignore and --force on a terminal', () => {
  const carol = makePerson('carol');
  const repo = makeRepo(carol);
  const gitignore = path.join(repo, '.gitignore');
  writeFileSync(gitignore, 'node_modules/\n*.log\n');
  const first = kagi(carol, repo, ['init']);

  it('appends the block after the user lines', () => {
    expect(first.code).toBe(0);
    const text = readFileSync(gitignore, 'utf8');
    expect(text.startsWith('node_modules/\n*.log\n')).toBe(true);
    expect(countBlocks(text)).toBe(1);
  });

  it('aborts --force when the answer is not "yes", changing nothing', () => {
    const before = snapshotTree(repo);
    const r = kagiOnTerminal(carol, repo, ['init', '--force'], ['no\r']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/error: .*abort/);
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('replaces the project after "yes", keeping user lines and one block', () => {
    const oldId = first.stdout.trim();
    writeFileSync(gitignore, `${readFileSync(gitignore, 'utf8')}dist/\n`);
    const r = kagiOnTerminal(carol, repo, ['init', '--force'], ['yes\r']);
    expect(r.code).toBe(0);
    const config = readJson(path.join(repo, '.kagi', 'kagi.json'));
    expect(config.project_id).not.toBe(oldId);
    expect(r.stdout).toContain(config.project_id as string);
    const text = readFileSync(gitignore, 'utf8');
    expect(countBlocks(text)).toBe(1);
    for (const line of ['node_modules/', '*.log', 'dist/']) {
      expect(text.split('\n')).toContain(line);
    }
  });
});
