// The device's cache of decrypted scopes (DESIGN.md §3) through the built binary: it holds no
// value in the clear, is used while the stores are unchanged, is rebuilt when a store, the key or
// the cache file changes, and never hides a damaged store.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, git, kagi, makePerson, makeRepo, must, readChildEnv } from './harness.js';
import { listFiles } from './tree.js';

afterAll(cleanup);

const VALUES = { API_KEY: 'cache-api-key-Tq3vN8xL5', SHARED_TOKEN: 'cache-shared-Pw7mZ2cR9' };

function setUp() {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--name', 'alice', '--envs']));
  const setApiKey = (value: string) =>
    must(kagi(alice, repo, ['set', '--service', 'api', '--env', 'development', 'API_KEY', value]));
  setApiKey(VALUES.API_KEY);
  must(kagi(alice, repo, ['set', '--env', 'development', 'SHARED_TOKEN', VALUES.SHARED_TOKEN]));
  git(alice, repo, ['add', '-A']);
  git(alice, repo, ['commit', '-q', '-m', 'secrets']);
  const cacheDir = path.join(repo, '.git', 'kagi', 'cache');
  const cacheFile = path.join(cacheDir, 'scopes.bin');
  /** The masked listing of every scope (names, authors, times: all from the decrypted lines). */
  const listing = () => kagi(alice, repo, ['get', '--json']);
  /** What `run` injects into api/development, as a child process prints it. */
  const value = (name: string) =>
    readChildEnv(alice, repo, ['--service', 'api', '--env', 'development', '--'])[name] ??
    '(unset)';
  return { alice, repo, cacheDir, cacheFile, listing, value, setApiKey };
}

describe('scope cache', () => {
  it('is written by a read, 0600 in a 0700 folder, with no value, name or author in the clear', () => {
    const { alice, repo, cacheDir, cacheFile, value } = setUp();
    expect(value('API_KEY')).toBe(VALUES.API_KEY);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const file of listFiles(cacheDir)) {
      const text = readFileSync(file).toString('latin1');
      for (const needle of [...Object.values(VALUES), ...Object.keys(VALUES), 'alice', 'api/'])
        expect(text).not.toContain(needle);
    }
    // Never inside the work tree, so never staged.
    expect(git(alice, repo, ['status', '--porcelain']).stdout).toBe('');
  });

  it('is reused while the stores are unchanged and rebuilt after a change', () => {
    const { alice, repo, cacheFile, value, setApiKey } = setUp();
    must(kagi(alice, repo, ['get', '--json'])); // every scope
    const first = statSync(cacheFile);
    expect(value('API_KEY')).toBe(VALUES.API_KEY);
    must(kagi(alice, repo, ['get', '--json']));
    const again = statSync(cacheFile);
    expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);

    setApiKey('rotated-Vb6');
    expect(value('API_KEY')).toBe('rotated-Vb6');
    expect(statSync(cacheFile).ino).not.toBe(first.ino);
  });

  it("a damaged cache, or another project's, is ignored and rebuilt: the answer stays right", () => {
    const { cacheFile, value, listing } = setUp();
    const before = listing().stdout;
    const bytes = readFileSync(cacheFile);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 1;
    writeFileSync(cacheFile, bytes);
    expect(listing().stdout).toBe(before);
    expect(readFileSync(cacheFile).equals(bytes)).toBe(false);

    // The cache of another project (its own key and id) in this one's place: a miss.
    const other = setUp();
    other.listing();
    writeFileSync(cacheFile, readFileSync(other.cacheFile));
    expect(value('API_KEY')).toBe(VALUES.API_KEY);
    expect(listing().stdout).toBe(before);
    writeFileSync(cacheFile, 'not a cache');
    expect(listing().stdout).toBe(before);
  });

  it('replaces the files of the earlier one-file-per-scope cache when it is written', () => {
    const { cacheDir, cacheFile, listing, setApiKey } = setUp();
    listing();
    mkdirSync(path.join(cacheDir, 'api'), { recursive: true });
    writeFileSync(path.join(cacheDir, 'api', 'development.bin'), 'old format');
    writeFileSync(path.join(cacheDir, 'development.bin'), 'old format');
    setApiKey('changed-Lp4');
    listing();
    expect(readdirSync(cacheDir)).toEqual([path.basename(cacheFile)]);
  });

  it('the pre-commit check finds values with the cache warm, cold, and stale after a change', () => {
    const { alice, repo, cacheDir, listing, setApiKey } = setUp();
    listing(); // warm: every scope cached
    const leak = (value: string) => {
      writeFileSync(path.join(repo, 'leak.ts'), `export const k = "${value}";\n`);
      git(alice, repo, ['add', 'leak.ts']);
      const r = git(alice, repo, ['commit', '-q', '-m', 'leak'], true);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('leak.ts:1: contains the value of api/development API_KEY');
      expect(r.stderr).not.toContain(value);
    };
    leak(VALUES.API_KEY);
    rmSync(cacheDir, { recursive: true });
    leak(VALUES.API_KEY); // cold
    setApiKey('changed-after-cache-Zq81'); // the cached records are now stale
    leak('changed-after-cache-Zq81');
  });

  it('never hides a damaged store: a changed line is the integrity error with a cache in place', () => {
    const { repo, listing } = setUp();
    expect(listing().code).toBe(0);
    const store = path.join(repo, '.kagi', 'secrets', 'api', 'development.enc');
    const [header, line] = readFileSync(store, 'utf8').split('\n') as [string, string];
    const [tag, epoch, payload] = line.split(' ') as [string, string, string];
    const flipped = `${payload.slice(0, 40)}${payload[40] === 'A' ? 'B' : 'A'}${payload.slice(41)}`;
    writeFileSync(store, `${header}\n${tag} ${epoch} ${flipped}\n`);
    const r = listing();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: .*api\/development/m);
    expect(r.stdout + r.stderr).not.toContain(VALUES.API_KEY);
  });

  it('a command that fails writes no cache, not even for the scopes it could read', () => {
    const { repo, cacheDir, listing } = setUp();
    rmSync(cacheDir, { recursive: true }); // written by the pre-commit hook of the first commit
    const store = path.join(repo, '.kagi', 'secrets', 'development.enc');
    writeFileSync(store, `${readFileSync(store, 'utf8')}garbage line\n`);
    expect(listing().code).toBe(4);
    expect(readdirSync(path.dirname(cacheDir))).not.toContain('cache');
  });

  it('after a key rotation, the old cache does not open and the new one is written', () => {
    const { alice, repo, cacheFile, value } = setUp();
    expect(value('API_KEY')).toBe(VALUES.API_KEY);
    const before = readFileSync(cacheFile);
    must(kagi(alice, repo, ['rotate']));
    expect(value('API_KEY')).toBe(VALUES.API_KEY);
    expect(readFileSync(cacheFile).equals(before)).toBe(false);
  });

  it('a cache that cannot be written costs nothing but speed', () => {
    const { alice, repo, cacheDir, value } = setUp();
    rmSync(cacheDir, { recursive: true, force: true });
    writeFileSync(cacheDir, 'a file where the folder would go\n');
    const r = kagi(alice, repo, ['get']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(value('SHARED_TOKEN')).toBe(VALUES.SHARED_TOKEN);
    expect(readdirSync(path.dirname(cacheDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
