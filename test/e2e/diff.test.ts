// `git kagi diff [<rev> [<rev>]]` through the built binary: added, changed and removed secrets per
// scope between commits and the work tree, by name only; a rotation shows no change; without a key
// lines are compared by tag and names stay hidden. No planted value ever appears.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  expectOk,
  git,
  kagi,
  makePerson,
  makeRepo,
  type Person,
  type Result,
} from './harness.js';

const PLANTED = {
  DIFF_KEPT: 'planted-diff-kept-Hy62bNc4',
  DIFF_CHANGED_OLD: 'planted-diff-old-Vq18kRz7',
  DIFF_CHANGED_NEW: 'planted-diff-new-Lm53pWx0',
  DIFF_REMOVED: 'planted-diff-removed-Ct94jSe2',
  DIFF_ADDED: 'planted-diff-added-Ko27fYu8',
  DIFF_WEB: 'planted-diff-web-Ga40hTq6',
};

let alice: Person;
let dir: string;
let first: string;
let second: string;
const outputs: Result[] = [];

function run(person: Person, args: string[], input = ''): Result {
  const result = kagi(person, dir, args, input);
  outputs.push(result);
  return result;
}

/** A recorded command of alice's that must succeed. */
function ok(args: string[], input = ''): Result {
  return expectOk(run(alice, args, input), `git kagi ${args.join(' ')}`);
}

function commit(message: string): string {
  git(alice, dir, ['add', '-A']);
  git(alice, dir, ['commit', '-q', '--no-verify', '-m', message]);
  return git(alice, dir, ['rev-parse', 'HEAD']).stdout.trim();
}

const FORWARD = [
  'api/development',
  '  + DIFF_ADDED',
  '  ~ DIFF_CHANGED',
  '  - DIFF_REMOVED',
  'web/development (new scope)',
  '  + DIFF_WEB',
  '',
].join('\n');

beforeAll(() => {
  alice = makePerson('alice');
  dir = makeRepo(alice);
  ok(['init', '--name', 'alice']);
  ok(['set', 'api', 'DIFF_KEPT'], PLANTED.DIFF_KEPT);
  ok(['set', 'api', 'DIFF_CHANGED'], PLANTED.DIFF_CHANGED_OLD);
  ok(['set', 'api', 'DIFF_REMOVED'], PLANTED.DIFF_REMOVED);
  first = commit('first');
  ok(['set', 'api', 'DIFF_CHANGED'], PLANTED.DIFF_CHANGED_NEW);
  ok(['unset', 'api', 'DIFF_REMOVED']);
  ok(['set', 'api', 'DIFF_ADDED'], PLANTED.DIFF_ADDED);
  ok(['set', 'web', 'DIFF_WEB'], PLANTED.DIFF_WEB);
  // Setting a value to what it already is changes nothing.
  ok(['set', 'api', 'DIFF_KEPT'], PLANTED.DIFF_KEPT);
});

afterAll(() => {
  // The canary: no command of this file printed a value.
  expect(outputs.length).toBeGreaterThan(10);
  for (const r of outputs) {
    for (const value of Object.values(PLANTED)) {
      expect(r.stdout).not.toContain(value);
      expect(r.stderr).not.toContain(value);
    }
  }
  cleanup();
});

describe('git kagi diff', () => {
  it('lists what changed in the work tree since HEAD, by name', () => {
    const r = ok(['diff']);
    expect(r.stdout).toBe(FORWARD);
    expect(r.stderr).toBe('');
  });

  it('compares two commits, one commit with the work tree, and says when nothing changed', () => {
    second = commit('second');
    expect(ok(['diff', first, second]).stdout).toBe(FORWARD);
    expect(ok(['diff', first]).stdout).toBe(FORWARD);
    expect(ok(['diff', 'HEAD~1', 'HEAD']).stdout).toBe(FORWARD);
    const none = ok(['diff']);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('No secret changed between HEAD and the work tree.\n');
  });

  it('shows the reverse comparison reversed', () => {
    expect(ok(['diff', second, first]).stdout).toBe(
      [
        'api/development',
        '  + DIFF_REMOVED',
        '  ~ DIFF_CHANGED',
        '  - DIFF_ADDED',
        'web/development (scope removed)',
        '  - DIFF_WEB',
        '',
      ].join('\n'),
    );
  });

  it('gives the same answer as JSON', () => {
    const diff = JSON.parse(ok(['diff', first, second, '--json']).stdout);
    expect(diff).toEqual({
      from: first,
      to: second,
      names_hidden: false,
      scopes: [
        {
          scope: 'api/development',
          status: 'changed',
          added: ['DIFF_ADDED'],
          changed: ['DIFF_CHANGED'],
          removed: ['DIFF_REMOVED'],
          note: null,
        },
        {
          scope: 'web/development',
          status: 'added',
          added: ['DIFF_WEB'],
          changed: [],
          removed: [],
          note: null,
        },
      ],
    });
  });

  it('hides names without a key and compares lines by tag', () => {
    const nobody = makePerson('nobody');
    const r = run(nobody, ['diff', first, second]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: no key for some secrets on this device/m);
    expect(r.stdout).not.toMatch(/DIFF_/);
    const rows = r.stdout.split('\n');
    expect(rows.filter((l) => /^ {2}\+ \(name hidden, tag \S{8}\)$/.test(l))).toHaveLength(2);
    expect(rows.filter((l) => /^ {2}~ \(name hidden, tag \S{8}\)$/.test(l))).toHaveLength(1);
    expect(rows.filter((l) => /^ {2}- \(name hidden, tag \S{8}\)$/.test(l))).toHaveLength(1);
    const json = JSON.parse(run(nobody, ['diff', first, second, '--json']).stdout);
    expect(json.names_hidden).toBe(true);
    expect(json.scopes[0].added[0]).toMatch(/^tag:[A-Za-z0-9_-]{22}$/);
  });

  it('shows no change across a key rotation, with a key; without one it says it cannot tell', () => {
    ok(['rotate']);
    const third = commit('rotate');
    const r = ok(['diff', second, third]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^No secret changed between /);
    // Old epochs' keys come from the history: the first commit still compares by name.
    expect(ok(['diff', first, third]).stdout).toBe(FORWARD);

    const nobody = run(makePerson('nobody'), ['diff', second, third]);
    expect(nobody.code).toBe(0);
    expect(nobody.stdout).toMatch(
      /^api\/development\n {2}\(re-encrypted \(key epoch 1 → 2\): which secrets changed cannot be shown without the key\)$/m,
    );
  });

  it('refuses an unknown revision and more than two', () => {
    const bad = run(alice, ['diff', 'no-such-branch']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: unknown revision 'no-such-branch'/m);
    const dash = run(alice, ['diff', '--', '--output=/tmp/x']);
    expect(dash.code).toBe(2);
    const three = run(alice, ['diff', 'HEAD', 'HEAD', 'HEAD']);
    expect(three.code).toBe(2);
    expect(three.stderr).toMatch(/^error: git kagi diff takes at most two revisions/m);
  });
});
