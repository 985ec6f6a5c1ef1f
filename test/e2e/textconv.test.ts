// What `git diff`, `git diff --cached`, `git log -p` and `git show` print for a store (DESIGN §5
// textconv): secret names with a value fingerprint, never a value, and nothing cached by git.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  git,
  kagi,
  kagiOk,
  makePerson,
  makeRepo,
  makeTempDir,
  type Person,
} from './harness.js';

afterAll(() => cleanup());

const TOKEN_1 = 'textconv-token-first-Aq1Zw';
const TOKEN_2 = 'textconv-token-second-Bx2Yv';
const PASSWORD = 'textconv-password-Cr3Xu';
const SHORT = 'p4ss';
const PLANTED = [TOKEN_1, TOKEN_2, PASSWORD, SHORT];
const STORE = '.kagi/secrets/api/development.enc';
const FP_ROW = /^[ +-](\w+) = fp:([0-9a-f]{8})$/;

let alice: Person;
let dir: string;

function expectNoValue(...outputs: string[]): void {
  for (const out of outputs) for (const v of PLANTED) expect(out).not.toContain(v);
}

/** `NAME = fp:…` rows of a diff, with their +/- sign. */
function fingerprintRows(diff: string): Array<{ sign: string; name: string; fp: string }> {
  return diff.split('\n').flatMap((row) => {
    const m = FP_ROW.exec(row);
    return m ? [{ sign: row[0] as string, name: m[1] as string, fp: m[2] as string }] : [];
  });
}

/** alice's project: api/development holds TOKEN, SHORT_ONE and CONFIG; development holds PASSWORD. */
beforeAll(() => {
  alice = makePerson('alice');
  dir = makeRepo(alice);
  kagiOk(alice, dir, ['init', '--name', 'alice']);
  kagiOk(alice, dir, ['set', 'api', 'TOKEN', TOKEN_1]);
  kagiOk(alice, dir, ['set', 'api', 'SHORT_ONE', SHORT]);
  kagiOk(alice, dir, ['set', 'api', 'CONFIG', 'a-value-that-stays-Ds4']);
  kagiOk(alice, dir, ['set', 'development', 'PASSWORD', PASSWORD]);
  git(alice, dir, ['add', '--', '.kagi', '.gitattributes', '.gitignore']);
  git(alice, dir, ['commit', '-q', '-m', 'git-kagi']);
});

describe('textconv', () => {
  it('git diff and git diff --cached show the changed name with fingerprints, never a value', () => {
    kagiOk(alice, dir, ['set', 'api', 'TOKEN', TOKEN_2]);
    const diff = git(alice, dir, ['diff', '--', STORE]);
    expectNoValue(diff.stdout, diff.stderr);
    const rows = fingerprintRows(diff.stdout);
    const removed = rows.find((r) => r.sign === '-');
    const added = rows.find((r) => r.sign === '+');
    expect(removed).toMatchObject({ name: 'TOKEN' });
    expect(added).toMatchObject({ name: 'TOKEN' });
    expect(added?.fp).not.toBe(removed?.fp);
    // Unchanged secrets appear as context with their fingerprint, and only the scope's own.
    expect(
      rows
        .filter((r) => r.sign === ' ')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['CONFIG', 'SHORT_ONE']);
    expect(diff.stdout).toMatch(/^ # api\/development$/m);
    expect(diff.stdout).not.toMatch(/^[+-][A-Za-z0-9_-]{22} \d+ /m); // no raw store line

    git(alice, dir, ['add', '--', STORE]);
    expect(git(alice, dir, ['diff', '--', STORE]).stdout).toBe('');
    const cached = git(alice, dir, ['diff', '--cached']);
    expectNoValue(cached.stdout, cached.stderr);
    expect(fingerprintRows(cached.stdout).filter((r) => r.sign !== ' ')).toEqual([removed, added]);
    git(alice, dir, ['commit', '-q', '-m', 'change TOKEN']);
  });

  it('git log -p and git show print names and fingerprints of every commit, never a value', () => {
    const log = git(alice, dir, ['log', '-p', '--', '.kagi/secrets']);
    expectNoValue(log.stdout, log.stderr);
    const names = new Set(fingerprintRows(log.stdout).map((r) => r.name));
    expect([...names].sort()).toEqual(['CONFIG', 'PASSWORD', 'SHORT_ONE', 'TOKEN']);
    const show = git(alice, dir, ['show', 'HEAD']);
    expectNoValue(show.stdout, show.stderr);
    expect(
      fingerprintRows(show.stdout)
        .filter((r) => r.sign !== ' ')
        .map((r) => r.name),
    ).toEqual(['TOKEN', 'TOKEN']);
    // The same value always shows the same fingerprint: the first commit's TOKEN row reappears.
    const first = git(alice, dir, ['show', 'HEAD~1', '--', STORE]).stdout;
    const before = fingerprintRows(first).find((r) => r.name === 'TOKEN');
    const removed = fingerprintRows(show.stdout).find((r) => r.sign === '-');
    expect(removed?.fp).toBe(before?.fp);
  });

  it('a rotation commit shows no changed fingerprint, though every store line changed', () => {
    const before = git(alice, dir, ['rev-parse', 'HEAD']).stdout.trim();
    kagiOk(alice, dir, ['rotate']);
    git(alice, dir, ['add', '--', '.kagi']);
    git(alice, dir, ['commit', '-q', '-m', 'rotate']);
    const changedFiles = git(alice, dir, [
      'diff',
      '--name-only',
      before,
      'HEAD',
      '--',
      '.kagi/secrets',
    ])
      .stdout.split('\n')
      .filter(Boolean);
    expect(changedFiles).toContain(STORE); // the bytes changed…
    const diff = git(alice, dir, ['diff', before, 'HEAD', '--', '.kagi/secrets']);
    expect(diff.stdout).toBe(''); // …what a reviewer sees did not
    const show = git(alice, dir, ['show', 'HEAD', '--', '.kagi/secrets']);
    expect(fingerprintRows(show.stdout)).toEqual([]);
    // Across the rotation too, an unchanged value keeps its fingerprint.
    const across = git(alice, dir, ['diff', `${before}~1`, 'HEAD', '--', STORE]);
    const rows = fingerprintRows(across.stdout).filter((r) => r.sign !== ' ');
    expect(rows.map((r) => r.name)).toEqual(['TOKEN', 'TOKEN']);
  });

  it('on a device without the key, shows a note instead of names', () => {
    const bob = makePerson('bob');
    const clone = path.join(makeTempDir('kagi-textconv-'), 'bob');
    git(bob, path.dirname(clone), ['clone', '-q', dir, clone]);
    expect(kagi(bob, clone, ['join', '--name', 'bob']).code).toBe(0); // sets up the diff driver
    expect(git(bob, clone, ['config', '--local', 'diff.kagi.textconv']).stdout.trim()).toBe(
      'git kagi textconv',
    );
    const log = git(bob, clone, ['log', '-p', '--format=', '--', '.kagi/secrets']);
    expectNoValue(log.stdout, log.stderr);
    expect(log.stdout).toMatch(/not shown: no key for them on this device/);
    expect(fingerprintRows(log.stdout)).toEqual([]);
    for (const name of ['TOKEN', 'PASSWORD', 'CONFIG', 'SHORT_ONE'])
      expect(log.stdout).not.toContain(name);
  });

  it('never caches the text: no cachetextconv, no notes, no value in any git object', () => {
    for (let i = 0; i < 2; i++) git(alice, dir, ['log', '-p', '--', '.kagi']);
    const config = git(alice, dir, ['config', '--list', '--show-origin']).stdout;
    expect(config).not.toMatch(/cachetextconv/i);
    expect(config).toMatch(/diff\.kagi\.textconv=git kagi textconv/);
    expect(git(alice, dir, ['for-each-ref', 'refs/notes']).stdout).toBe('');
    expect(git(alice, dir, ['notes', 'list'], true).stdout).toBe('');
    expect(existsSync(path.join(dir, '.git', 'refs', 'notes'))).toBe(false);
    const objects = git(alice, dir, ['cat-file', '--batch-all-objects', '--batch']).stdout;
    expect(objects).toContain('# git-kagi store api/development'); // the stores were searched
    expectNoValue(objects);
  });
});
