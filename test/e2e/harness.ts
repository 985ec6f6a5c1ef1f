// End-to-end harness: the built binary (dist/git-kagi.cjs; `npm run build` first) in real temporary
// git repositories, one KAGI_HOME per simulated teammate, and the checks test files share (success,
// `run`'s child env, access.json). tree.ts checks trees on disk; team.ts has joining and teams.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type AccessFile, formatAccess, parseAccess } from '../../src/core/access.js';

export const BIN = fileURLToPath(new URL('../../dist/git-kagi.cjs', import.meta.url));
const created: string[] = [];

/** A fresh temporary folder, removed by `cleanup()`. */
export function makeTempDir(prefix = 'kagi-e2e-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A copy of `dir` and all below it, under its own name in a fresh temporary folder: a fork. */
export function copyToTemp(dir: string, prefix: string): string {
  const copy = path.join(makeTempDir(prefix), path.basename(dir));
  cpSync(dir, copy, { recursive: true });
  return copy;
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
  return personAt(name, path.join(makeTempDir(`kagi-home-${name}-`), 'kagi'), extraEnv);
}

/** A teammate whose HOME and KAGI_HOME are inside `root`, so a copy of `root` forks the world. */
export function makePersonIn(root: string, name: string): Person {
  return personAt(name, path.join(root, 'homes', name, 'kagi'));
}

function personAt(name: string, home: string, extraEnv: NodeJS.ProcessEnv = {}): Person {
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

/** Asserts success: exit 0, no `error:` line on stderr; with `quiet`, nothing on stderr at all. */
export function expectOk(r: Result, what: string, { quiet = false } = {}): Result {
  expect(r.stderr, what).not.toMatch(/^error:/m);
  expect(r.code, `${what}: ${r.stderr}`).toBe(0);
  if (quiet) expect(r.stderr, what).toBe('');
  return r;
}

/** `kagi(…)` that must succeed (`expectOk`). */
export function kagiOk(
  person: Person,
  cwd: string,
  args: string[],
  input = '',
  extraEnv: NodeJS.ProcessEnv = {},
): Result {
  const r = kagi(person, cwd, args, input, extraEnv);
  return expectOk(r, `${person.name}: git kagi ${args.join(' ')}`);
}

/** A child for `run` that prints its whole environment as JSON. */
export const DUMP_ENV = [
  process.execPath,
  '-e',
  'process.stdout.write(JSON.stringify(process.env))',
];

/**
 * The environment `git kagi run <runArgs> DUMP_ENV` gives its child; the run must succeed with
 * nothing on stderr. `runArgs` are passed as they are: add the `--` where the test wants one.
 */
export function readChildEnv(
  person: Person,
  cwd: string,
  runArgs: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Record<string, string> {
  const r = kagi(person, cwd, ['run', ...runArgs, ...DUMP_ENV], '', extraEnv);
  expectOk(r, `${person.name}: git kagi run ${runArgs.join(' ')}`, { quiet: true });
  return JSON.parse(r.stdout) as Record<string, string>;
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
 * Runs the binary as `person` under `strace -f <straceArgs>`, to inject faults (a SIGKILL, an
 * errno) into its system calls. One libuv worker: every call then comes from one thread, and
 * strace counts `when=N` per thread, so N is the command's N-th call.
 */
export function kagiUnderStrace(
  person: Person,
  cwd: string,
  straceArgs: string[],
  args: string[],
): SpawnSyncReturns<string> {
  const r = spawnSync('strace', ['-f', ...straceArgs, '--', process.execPath, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...person.env, UV_THREADPOOL_SIZE: '1' },
  });
  if (r.error) throw r.error;
  return r;
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

/** A new git repository with one commit on main, owned by `person` (at `dir` if given). */
export function makeRepo(
  person: Person,
  dir = path.join(makeTempDir('kagi-repo-'), 'repo'),
): string {
  mkdirSync(dir, { recursive: true });
  git(person, dir, ['init', '-q', '-b', 'main']);
  git(person, dir, ['commit', '-q', '--allow-empty', '-m', 'root']);
  return dir;
}

/** The project root key `person`'s device caches, as hex. */
export function readCachedKey(person: Person, projectId: string): string {
  return readFileSync(path.join(person.home, 'projects', `${projectId}.key`), 'utf8').trim();
}

export function accessPath(dir: string): string {
  return path.join(dir, '.kagi', 'access.json');
}

export function readAccessText(dir: string): string {
  return readFileSync(accessPath(dir), 'utf8');
}

/** The checkout's .kagi/access.json, parsed (and so validated) as git-kagi reads it. */
export function readAccess(dir: string): AccessFile {
  return parseAccess(readAccessText(dir));
}

/** Writes .kagi/access.json as git-kagi would (canonical JSON, members sorted by id). */
export function writeAccess(dir: string, access: AccessFile): void {
  writeFileSync(accessPath(dir), formatAccess(access));
}

/** A store file as text: its header line and its secret lines, raw, for hand edits. */
export interface StoreRows {
  header: string;
  lines: string[];
}

export function readStoreRows(dir: string, file: string): StoreRows {
  const [header, ...lines] = readFileSync(path.join(dir, file), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { header: header as string, lines };
}

/** Writes the rows in the order given (sorted or not: the test's choice), newline-terminated. */
export function writeStoreRows(dir: string, file: string, { header, lines }: StoreRows): void {
  writeFileSync(path.join(dir, file), `${header}\n${lines.map((l) => `${l}\n`).join('')}`);
}
