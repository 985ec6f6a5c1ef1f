// End-to-end harness: real temporary git repositories, the built binary (dist/git-kagi.cjs, run
// `npm run build` first; `npm test` does), and one KAGI_HOME per simulated teammate.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/git-kagi.cjs', import.meta.url));
const created: string[] = [];

/** A fresh temporary folder, removed by `cleanup()`. */
export function makeTempDir(prefix = 'kagi-e2e-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function cleanup(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A folder with a `git-kagi` symlink, so `git kagi …` works through git as users run it. */
let binDir: string | undefined;
export function kagiBinDir(): string {
  if (!binDir) {
    binDir = mkdtempSync(path.join(os.tmpdir(), 'kagi-bin-'));
    symlinkSync(BIN, path.join(binDir, 'git-kagi'));
  }
  return binDir;
}

export interface Person {
  name: string;
  home: string;
  env: NodeJS.ProcessEnv;
}

/** A simulated teammate: own KAGI_HOME, own git identity, git kagi on PATH. */
export function makePerson(name: string, extraEnv: NodeJS.ProcessEnv = {}): Person {
  const home = path.join(makeTempDir(`kagi-home-${name}-`), 'kagi');
  const env: NodeJS.ProcessEnv = {
    PATH: `${kagiBinDir()}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: path.dirname(home),
    KAGI_HOME: home,
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: `${name}@example.com`,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: `${name}@example.com`,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LANG: 'C.UTF-8',
    ...extraEnv,
  };
  return { name, home, env };
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function toResult(r: SpawnSyncReturns<string>): Result {
  if (r.error) throw r.error;
  return {
    code: r.status ?? 128 + (r.signal ? os.constants.signals[r.signal] : 0),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** Runs the built binary as `person` in `cwd`; stdin is `input` (or empty, never a terminal). */
export function kagi(
  person: Person,
  cwd: string,
  args: string[],
  input = '',
  extraEnv: NodeJS.ProcessEnv = {},
): Result {
  return toResult(
    spawnSync(process.execPath, [BIN, ...args], {
      cwd,
      input,
      encoding: 'utf8',
      env: { ...person.env, ...extraEnv },
    }),
  );
}

/** Setup steps must succeed, or every test after them fails for a reason that is hard to see. */
export function must(r: Result): Result {
  if (r.code !== 0) throw new Error(`setup command failed (${r.code}): ${r.stderr}`);
  return r;
}

/** Runs `git …` as `person`; throws on failure unless `allowFailure`. */
export function git(person: Person, cwd: string, args: string[], allowFailure = false): Result {
  const result = toResult(spawnSync('git', args, { cwd, encoding: 'utf8', env: person.env }));
  if (result.code !== 0 && !allowFailure) {
    throw new Error(`git ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  }
  return result;
}

/**
 * Runs the binary on a pseudo-terminal (util-linux `script`), typing `keystrokes` after a short
 * delay, for the paths that ask on a terminal. Output is the terminal transcript.
 */
export function kagiOnTerminal(
  person: Person,
  cwd: string,
  args: string[],
  keystrokes: string[],
): Result {
  const quoted = [process.execPath, BIN, ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const feed = keystrokes
    .map((k) => `sleep 0.6; printf '%s' '${k.replace(/'/g, `'\\''`)}'`)
    .join('; ');
  const shell = `(${feed || 'true'}; sleep 0.5) | script -qefc ${JSON.stringify(quoted)} /dev/null`;
  return toResult(spawnSync('sh', ['-c', shell], { cwd, encoding: 'utf8', env: person.env }));
}

/** A new git repository with one commit, owned by `person`. */
export function makeRepo(person: Person): string {
  const dir = path.join(makeTempDir('kagi-repo-'), 'repo');
  mkdirSync(dir);
  git(person, dir, ['init', '-q', '-b', 'main']);
  git(person, dir, ['commit', '-q', '--allow-empty', '-m', 'root']);
  return dir;
}
