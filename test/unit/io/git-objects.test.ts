// Unit tests of src/io/git-objects.ts: parsing the added lines of a staged diff (file and line
// numbers, git's C-quoted and tab-ended names), checked against what the real git binary prints.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listStagedChanges,
  parseAddedLines,
  parseStagedDiff,
  readBlobs,
  readStagedDiff,
  unquoteGitPath,
} from '../../../src/io/git-objects.js';

describe('unquoteGitPath', () => {
  it('leaves an unquoted path as it is', () => {
    expect(unquoteGitPath('b/src/app.ts')).toBe('b/src/app.ts');
    expect(unquoteGitPath('b/a b.txt')).toBe('b/a b.txt');
  });

  it('reads the C escapes git writes', () => {
    expect(unquoteGitPath('"b/q\\"uote.txt"')).toBe('b/q"uote.txt');
    expect(unquoteGitPath('"b/tab\\tend"')).toBe('b/tab\tend');
    expect(unquoteGitPath('"b/new\\nline"')).toBe('b/new\nline');
    expect(unquoteGitPath('"b/back\\\\slash"')).toBe('b/back\\slash');
    expect(unquoteGitPath('"b/bell\\a\\b\\f\\v\\r"')).toBe('b/bell\x07\b\f\v\r');
  });

  it('decodes octal escapes as UTF-8 bytes (core.quotepath on)', () => {
    expect(unquoteGitPath('"b/\\303\\274n\\303\\257.txt"')).toBe('b/ünï.txt');
    expect(unquoteGitPath('"\\360\\237\\224\\221 key"')).toBe('🔑 key');
  });
});

describe('parseAddedLines', () => {
  it('numbers added lines from each hunk header and skips removed lines', () => {
    const diff = [
      'diff --git a/src/app.ts b/src/app.ts',
      'index 1111111..2222222 100644',
      '--- a/src/app.ts',
      '+++ b/src/app.ts',
      '@@ -2 +2,2 @@ export const a = 1;',
      '-old line',
      '+new line two',
      '+new line three',
      '@@ -10,0 +12 @@',
      '+line twelve',
      'diff --git a/new.txt b/new.txt',
      'new file mode 100644',
      'index 0000000..3333333',
      '--- /dev/null',
      '+++ b/new.txt',
      '@@ -0,0 +1 @@',
      '+first',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    expect(parseAddedLines(diff)).toEqual([
      { file: 'src/app.ts', line: 2, text: 'new line two' },
      { file: 'src/app.ts', line: 3, text: 'new line three' },
      { file: 'src/app.ts', line: 12, text: 'line twelve' },
      { file: 'new.txt', line: 1, text: 'first' },
    ]);
  });

  it('ignores deleted files', () => {
    const diff = [
      'diff --git a/gone.txt b/gone.txt',
      'deleted file mode 100644',
      '--- a/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-was here',
    ].join('\n');
    expect(parseAddedLines(diff)).toEqual([]);
  });

  it('strips the tab git puts after a name with a space, quoted or not', () => {
    const diff = [
      'diff --git a/a b.txt b/a b.txt',
      '--- /dev/null',
      '+++ b/a b.txt\t',
      '@@ -0,0 +1 @@',
      '+x',
      'diff --git "a/q\\"uote .txt" "b/q\\"uote .txt"',
      '--- /dev/null',
      '+++ "b/q\\"uote .txt"\t',
      '@@ -0,0 +1 @@',
      '+y',
    ].join('\n');
    expect(parseAddedLines(diff).map((l) => l.file)).toEqual(['a b.txt', 'q"uote .txt']);
  });

  it('reads an added line that starts with "++ " as content, not as a file header', () => {
    const diff = [
      'diff --git a/notes.md b/notes.md',
      '--- a/notes.md',
      '+++ b/notes.md',
      '@@ -1,0 +2,2 @@',
      '+++ secret-looking line',
      '+--- another',
    ].join('\n');
    expect(parseAddedLines(diff)).toEqual([
      { file: 'notes.md', line: 2, text: '++ secret-looking line' },
      { file: 'notes.md', line: 3, text: '--- another' },
    ]);
  });
});

describe('against the git binary', () => {
  let dir: string;
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const NAMES = [
    'plain.txt',
    'a b.txt',
    'tab\tend.txt',
    'q"uote .txt',
    'ünïcode.txt',
    'new\nline.txt',
    'back\\slash.txt',
    'sub dir/deep file.txt',
  ];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kagi-git-objects-'));
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(dir, 'tracked.txt'), 'one\ntwo\nthree\n');
    git('add', 'tracked.txt');
    git('commit', '-q', '-m', 'root');
    for (const name of NAMES) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), `first of ${JSON.stringify(name)}\n++ second\n`);
    }
    writeFileSync(path.join(dir, 'tracked.txt'), 'one\nTWO\nthree\nfour\n');
    git('add', '-A');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every staged added line with its real path and line number', async () => {
    const lines = (await readStagedDiff(dir, [])).added;
    const expected = [
      ...NAMES.flatMap((file) => [
        { file, line: 1, text: `first of ${JSON.stringify(file)}` },
        { file, line: 2, text: '++ second' },
      ]),
      { file: 'tracked.txt', line: 2, text: 'TWO' },
      { file: 'tracked.txt', line: 4, text: 'four' },
    ];
    const key = (l: { file: string; line: number }) => `${l.file}\0${l.line}`;
    expect([...lines].sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(
      expected.sort((a, b) => (key(a) < key(b) ? -1 : 1)),
    );
  });

  it('leaves out excluded paths', async () => {
    const lines = (await readStagedDiff(dir, ['sub dir'])).added;
    expect(lines.some((l) => l.file.startsWith('sub dir/'))).toBe(false);
    expect(lines.some((l) => l.file === 'plain.txt')).toBe(true);
  });

  it('lists staged paths and reads index and commit blobs', async () => {
    expect((await listStagedChanges(dir)).map((c) => c.path).sort()).toEqual(
      [...NAMES, 'tracked.txt'].sort(),
    );
    const { changes } = await readStagedDiff(dir, []);
    expect(changes).toEqual(await listStagedChanges(dir));
    const blobs = await readBlobs(dir, [
      ':tracked.txt',
      'HEAD:tracked.txt',
      ':missing.txt',
      ':a b.txt',
    ]);
    expect(blobs.get(':tracked.txt')).toBe('one\nTWO\nthree\nfour\n');
    expect(blobs.get('HEAD:tracked.txt')).toBe('one\ntwo\nthree\n');
    expect(blobs.get(':missing.txt')).toBeNull();
    expect(blobs.get(':a b.txt')).toBe(`first of ${JSON.stringify('a b.txt')}\n++ second\n`);
  });
});

describe('parseStagedDiff', () => {
  const raw = (status: string, file: string) =>
    `:100644 100644 ${'a'.repeat(7)} ${'b'.repeat(7)} ${status}\0${file}\0`;

  it('reads the NUL-separated changes, then the added lines of the patch', () => {
    const patch = [
      'diff --git a/x.ts b/x.ts',
      'index 1111111..2222222 100644',
      '--- a/x.ts',
      '+++ b/x.ts',
      '@@ -1,0 +2 @@ context',
      '+added',
      'diff --git a/.kagi/access.json b/.kagi/access.json',
      '--- a/.kagi/access.json',
      '+++ b/.kagi/access.json',
      '@@ -3 +3 @@',
      '+{"ignored": true}',
      '',
    ].join('\n');
    const output = `${raw('M', 'x.ts')}${raw('D', 'gone\nnewline.txt')}${raw('M', '.kagi/access.json')}\0${patch}`;
    expect(parseStagedDiff(output, ['.kagi'])).toEqual({
      changes: [
        { path: 'x.ts', status: 'M' },
        { path: 'gone\nnewline.txt', status: 'D' },
        { path: '.kagi/access.json', status: 'M' },
      ],
      added: [{ file: 'x.ts', line: 2, text: 'added' }],
    });
  });

  it('reads an empty diff and changes without a patch', () => {
    expect(parseStagedDiff('', [])).toEqual({ changes: [], added: [] });
    expect(parseStagedDiff(raw('D', 'a.txt'), [])).toEqual({
      changes: [{ path: 'a.txt', status: 'D' }],
      added: [],
    });
  });
});
