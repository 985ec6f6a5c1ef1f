// Unit tests of locateRepository (src/io/git.ts): the repository it finds on the file system,
// without starting git, is the one git itself reports (findRepository asks `git rev-parse`), from
// the top, a subfolder, a symlinked folder, a linked worktree and a submodule; a `.git` it cannot
// judge is left to git.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRepository, locateRepository } from '../../../src/io/git.js';

const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'kagi-locate-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
};
for (const name of Object.keys(env))
  if (/^GIT_(DIR|WORK_TREE|COMMON_DIR)$/.test(name)) delete env[name];

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'protocol.file.allow=always', ...args], { cwd, env });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

function makeRepo(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'first');
  return dir;
}

async function expectAsGitSees(cwd: string): Promise<void> {
  const found = await locateRepository(cwd, env);
  expect(found).toEqual(await findRepository(cwd));
}

describe('locateRepository', () => {
  const repo = makeRepo('repo');
  mkdirSync(path.join(repo, 'apps', 'api'), { recursive: true });

  it('finds what git finds at the top and in a subfolder', async () => {
    await expectAsGitSees(repo);
    await expectAsGitSees(path.join(repo, 'apps', 'api'));
    expect((await locateRepository(path.join(repo, 'apps', 'api'), env)).prefix).toBe('apps/api');
  });

  it('follows a symlinked folder to the real repository', async () => {
    const link = path.join(root, 'link');
    symlinkSync(path.join(repo, 'apps'), link);
    await expectAsGitSees(path.join(link, 'api'));
  });

  it('finds a linked worktree, whose .git is a file, and its common dir', async () => {
    const worktree = path.join(root, 'worktree');
    git(repo, 'worktree', 'add', '-q', '-b', 'side', worktree);
    await expectAsGitSees(worktree);
    const found = await locateRepository(worktree, env);
    expect(found.commonDir).toBe(path.join(repo, '.git'));
    expect(found.gitDir).not.toBe(found.commonDir);
  });

  it('finds a submodule, whose .git file points relatively into the parent', async () => {
    const library = makeRepo('library');
    const parent = makeRepo('parent');
    git(parent, 'submodule', 'add', '-q', library, 'vendor/library');
    await expectAsGitSees(path.join(parent, 'vendor', 'library'));
  });

  it('leaves a .git it cannot judge to git, which then answers', async () => {
    const broken = makeRepo('broken');
    const inner = path.join(broken, 'inner');
    mkdirSync(path.join(inner, '.git'), { recursive: true }); // a folder without HEAD
    await expectAsGitSees(inner);
    const odd = path.join(broken, 'odd');
    mkdirSync(odd);
    writeFileSync(path.join(odd, '.git'), 'not a pointer\n');
    await expect(locateRepository(odd, env)).rejects.toThrow();
    await expect(findRepository(odd)).rejects.toThrow();
  });
});
