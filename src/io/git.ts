// Every read of git state goes through the git binary (execFile, -z where paths are listed): inside
// hooks only git itself honours GIT_INDEX_FILE and worktrees (GOTCHAS).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { KagiError } from '../errors.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function runGit(args: string[], cwd: string, allowFailure = false): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && (code === -1 || !allowFailure)) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            new KagiError(
              missing ? 'git-missing' : 'git-failed',
              missing
                ? 'git is not installed or not on PATH'
                : `git ${args[0]} failed: ${stderr.trim().split('\n')[0] ?? ''}`,
              { hint: missing ? 'install git and try again' : undefined, cause: error },
            ),
          );
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
  });
}

export interface Repository {
  /** Absolute path of the work tree root. */
  root: string;
  /** Absolute path of this worktree's git dir. */
  gitDir: string;
  /** The current folder relative to root, `/`-separated, '' at the root. */
  prefix: string;
  /** Absolute path of the git dir shared by all worktrees (config, hooks). */
  commonDir: string;
  /** Absolute path of the hooks folder (honours core.hooksPath and worktrees). */
  hooksDir: string;
}

export async function findRepository(cwd: string): Promise<Repository> {
  const result = await runGit(
    [
      'rev-parse',
      '--show-toplevel',
      '--absolute-git-dir',
      '--show-prefix',
      '--git-common-dir',
      '--git-path',
      'hooks',
    ],
    cwd,
    true,
  );
  if (result.code !== 0) {
    throw new KagiError('not-a-repository', 'not inside a git repository', {
      hint: 'run git kagi inside your project, or `git init` first',
    });
  }
  const [root, gitDir, prefix, commonDir, hooksDir] = result.stdout.split('\n');
  if (!root || !gitDir) {
    throw new KagiError(
      'not-a-work-tree',
      'git kagi needs a work tree (this looks like a bare repository)',
    );
  }
  return {
    root,
    gitDir,
    prefix: (prefix ?? '').replace(/\/$/, ''),
    commonDir: path.resolve(cwd, commonDir || gitDir),
    hooksDir: path.resolve(cwd, hooksDir || path.join(gitDir, 'hooks')),
  };
}

export async function readGitConfig(key: string, cwd: string): Promise<string | null> {
  const result = await runGit(['config', '--get', key], cwd, true);
  return result.code === 0 ? result.stdout.trim() : null;
}
