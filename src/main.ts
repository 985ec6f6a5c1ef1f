// The only file that reads process.argv and process.env and sets the exit code. Key material in
// KAGI_* variables is read once and removed from process.env (diagnostic reports include it).
// Everything else is loaded on demand: each path loads only what it uses (scripts/build.mjs).
import path from 'node:path';
import { loadBundle, saveCodeCaches } from './io/code-cache.js';
import { resolveKagiHome } from './io/kagi-home.js';
import { writeErr } from './io/output.js';
import type { Terminal } from './io/terminal.js';
import type { Runtime } from './runtime.js';

const SECRET_VARIABLES = ['KAGI_PROJECT_KEY', 'KAGI_IDENTITY'];

/**
 * Whether a person is there is decided on first use, and the question code is loaded only when a
 * question is asked: node:tty (and net under it) is start-up that `run` and the hooks never need.
 */
function openTerminal(): Terminal {
  let interactive: boolean | undefined;
  return {
    get interactive() {
      if (interactive === undefined) {
        // A terminal is a character device: pipes and files (hooks, CI, scripts) are told apart
        // with a stat, without loading node:tty.
        const { fstatSync } = process.getBuiltinModule('node:fs');
        const device = (fd: number) => {
          try {
            return fstatSync(fd).isCharacterDevice();
          } catch {
            return false; // closed
          }
        };
        if (!device(0) || !device(2)) interactive = false;
        else {
          const { isatty } = process.getBuiltinModule('node:tty');
          interactive = isatty(0) && isatty(2);
        }
      }
      return interactive;
    },
    ask: async (question) => (await import('./io/terminal.js')).askLine(question),
    askHidden: async (question) => (await import('./io/terminal.js')).askHiddenLine(question),
  };
}

/**
 * What runs on every program start, commit, checkout, merge and diff: each a CommonJS bundle of
 * its own (scripts/build.mjs), so a path parses only its own code, compiled through V8's code
 * cache in $KAGI_HOME (io/code-cache.ts). Not the post-checkout and post-merge hooks: with nothing
 * to do they load no node:crypto, which checking a cache would cost them, so they are required
 * as they are.
 */
const hot = {
  run: (): typeof import('./internal/run.js') => loadCached('run'),
  get: (): typeof import('./internal/get.js') => loadCached('get'),
  set: (): typeof import('./internal/set.js') => loadCached('set'),
  preCommit: (): Pick<typeof import('./internal/hook.js'), 'runPreCommitHook'> =>
    loadCached('pre-commit'),
  postHook: (): Pick<typeof import('./internal/hook.js'), 'runPostHook'> =>
    require('./hot/post-hook.cjs'),
  mergeDriver: (): typeof import('./internal/merge-driver.js') => loadCached('merge-driver'),
  textconv: (): typeof import('./internal/textconv.js') => loadCached('textconv'),
};

// biome-ignore lint/suspicious/noExplicitAny: each caller above states the bundle's type
function loadCached(name: string): any {
  const home = resolveKagiHome(process.env);
  const cacheFile = path.join(home, 'cache', 'code', `${name}.${KAGI_BUILD_ID}.bin`);
  return loadBundle(
    path.join(__dirname, 'hot', `${name}.cjs`),
    cacheFile,
    (specifier) => import(specifier),
  );
}

/** git's own entry points, `run` and the plain forms of `get` and `set`; null for the rest. */
async function runHotPath(argv: string[], runtime: Runtime): Promise<number | null> {
  const [first, ...rest] = argv;
  if (first === 'hook') {
    const name = rest[0];
    if (name === 'pre-commit') return hot.preCommit().runPreCommitHook(runtime);
    if (name === 'post-checkout' || name === 'post-merge')
      return hot.postHook().runPostHook(name, runtime);
    runtime.notice(`error: unknown hook '${name ?? ''}'`);
    return 2;
  }
  if (first === 'run') return hot.run().runRunCommand(rest, runtime);
  if (first === 'get') {
    const { parseGetArgv, runGetCommand } = hot.get();
    const options = parseGetArgv(rest);
    if (options) return runGetCommand(options, runtime);
  }
  if (first === 'set') {
    const { parseSetArgv, runSetCommand } = hot.set();
    const options = parseSetArgv(rest);
    if (options) return runSetCommand(options, runtime);
  }
  if (first === 'merge-driver') return hot.mergeDriver().runMergeDriver(rest, runtime);
  if (first === 'textconv') return hot.textconv().runTextconv(rest, runtime);
  return null;
}

async function main(): Promise<number> {
  const env = { ...process.env };
  for (const name of SECRET_VARIABLES) delete process.env[name];
  const runtime: Runtime = {
    env,
    cwd: process.cwd(),
    terminal: openTerminal(),
    now: () => new Date(),
    notice: (message) => writeErr(message),
  };
  const argv = process.argv.slice(2);
  // The hot paths skip the CLI framework: they run on every commit, merge, diff and program start.
  try {
    const code = await runHotPath(argv, runtime);
    if (code !== null) {
      // Only once a command has run to completion (whatever its exit code: a program that `run`
      // started may fail), so a cache holds every function that command compiled.
      saveCodeCaches();
      return code;
    }
  } catch (error) {
    const { reportError } = await import('./cli/report.js');
    return reportError(error, env.KAGI_DEBUG === '1');
  }
  const { runCli } = await import('./cli/cli.js');
  return runCli(argv, runtime);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Never print the error itself: it may come from Node with a value inside.
    process.stderr.write(
      `error: internal error${process.env.KAGI_DEBUG === '1' ? `: ${(error as Error)?.stack}` : ''}\n`,
    );
    process.exitCode = 70;
  },
);
