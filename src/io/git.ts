// Every read of git state goes through the git binary (execFile, -z where paths are listed): inside
// hooks only git itself honours GIT_INDEX_FILE and worktrees (DESIGN §5.2).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { KagiError } from '../errors.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function runGit(
  args: string[],
  cwd: string,
  allowFailure = false,
): Promise<GitResult> {
  // Taken on first use: node:child_process pulls in net and friends, which `run` and hooks with
  // nothing to do never need (bench cases 1, 5 and 11).
  const { execFile } = process.getBuiltinModule('node:child_process');
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
  const [root, gitDir, prefix, commonDir] = result.stdout.split('\n');
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
    // Relative to the folder git ran in, which is the real one when cwd is a symlink.
    commonDir: path.resolve(realpathSync(cwd), commonDir || gitDir),
  };
}

export async function readGitConfig(key: string, cwd: string): Promise<string | null> {
  const result = await runGit(['config', '--get', key], cwd, true);
  return result.code === 0 ? result.stdout.trim() : null;
}

const GIT_LOCATION_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
];

/** The git dir a `.git` file names (`gitdir: <path>`), relative to the folder that holds it. */
function pointedGitDir(dir: string, dotGitFile: string): string | null {
  const pointer = /^gitdir: (.+)$/m.exec(dotGitFile)?.[1];
  return pointer ? path.resolve(dir, pointer.trim()) : null;
}

/**
 * The repository of `cwd` found on the file system, without starting git: hot paths (`run`, the
 * hooks) pay for every process. Anything unusual (GIT_DIR and friends, a `.git` we cannot read)
 * falls back to asking git.
 */
export async function locateRepository(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Repository> {
  if (GIT_LOCATION_VARIABLES.some((name) => env[name])) return findRepository(cwd);
  try {
    const start = realpathSync(cwd);
    // existsSync rather than statSync, whose first call costs every start 0.2 ms (bench case 1).
    for (let dir = start; ; dir = path.dirname(dir)) {
      const dotGit = path.join(dir, '.git');
      if (existsSync(dotGit)) {
        // A folder with a HEAD, or a file that points to one (worktrees, submodules); a folder
        // without one (EISDIR) or any other file is for git to judge.
        const gitDir = existsSync(path.join(dotGit, 'HEAD'))
          ? dotGit
          : pointedGitDir(dir, readFileSync(dotGit, 'utf8'));
        if (gitDir === null || !existsSync(path.join(gitDir, 'HEAD'))) break;
        const commonDirFile = path.join(gitDir, 'commondir');
        return {
          root: dir,
          gitDir,
          prefix: dir === start ? '' : path.relative(dir, start).split(path.sep).join('/'),
          commonDir: existsSync(commonDirFile)
            ? path.resolve(gitDir, readFileSync(commonDirFile, 'utf8').trim())
            : gitDir,
        };
      }
      if (path.dirname(dir) === dir) break;
    }
  } catch {}
  return findRepository(cwd);
}
