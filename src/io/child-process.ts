// Runs a program the way `git kagi run` promises (DESIGN §6): inherited stdio, forwarded
// SIGINT/SIGTERM/SIGHUP, the child's exit code passed through (128+n for a signal), 127 if missing.
import { KagiError } from '../errors.js';
import { loadChildProcess } from './lazy-builtin.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A signal's number; node:os is loaded only once a signal is involved (0.2 ms of every start). */
function signalNumber(signal: NodeJS.Signals): number {
  return process.getBuiltinModule('node:os').constants.signals[signal] ?? 0;
}

/** A started child: how to signal it. How it ended reaches the `Ended` it was started with. */
interface Started {
  kill(signal: NodeJS.Signals): void;
}

interface Ended {
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  /** A failure to start that showed only after the start returned. */
  error(error: NodeJS.ErrnoException): void;
}

/**
 * Ctrl-C and a terminal hang-up reach the whole foreground process group, the child included:
 * forwarding them too would deliver them twice (docker compose, for one, force-quits on a second
 * Ctrl-C). On a terminal those two are only caught, so that we wait for the child's exit code.
 */
function reachesChildDirectly(signal: NodeJS.Signals): boolean {
  return signal !== 'SIGTERM' && process.stdin.isTTY === true;
}

export function runChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let running = true;
    const ended: Ended = {
      exit(code, signal) {
        running = false;
        if (signal) resolve(128 + signalNumber(signal));
        else resolve(code ?? 1);
      },
      error(error) {
        running = false;
        reject(describeSpawnError(command, error));
      },
    };
    let child: Started;
    try {
      const start = processWrap() ? startWithProcessWrap : startWithChildProcess;
      child = start(command, args, env, ended);
    } catch (error) {
      reject(describeSpawnError(command, error as NodeJS.ErrnoException));
      return;
    }
    // Left installed once the child has ended: `run` ends with it, and taking them off would cost
    // every run 0.1 ms.
    for (const signal of FORWARDED) {
      process.on(signal, () => {
        if (running && !reachesChildDirectly(signal)) child.kill(signal);
      });
    }
  });
}

interface ProcessHandle {
  onexit: (status: number, signal: string) => void;
  spawn(options: object): number;
  kill(signal: number): number;
  close(): void;
}

let processWrapClass: (new () => ProcessHandle) | null | undefined;

/**
 * The native process handle that `child_process` itself is built on, which Node keeps reachable
 * through `process.binding` (DESIGN.md §6, "How run starts its child"): `child_process` pulls in
 * net, dgram and streams, about 2.5 ms of every `run`. Where the binding may warn
 * (--pending-deprecation wraps it), is refused (the permission model) or looks different,
 * `child_process` does the job.
 */
function processWrap(): (new () => ProcessHandle) | null {
  if (processWrapClass !== undefined) return processWrapClass;
  processWrapClass = null;
  const binding = (process as { binding?: (name: string) => { Process?: unknown } }).binding;
  if (process.platform === 'win32' || typeof binding !== 'function' || binding.name !== 'binding')
    return null;
  // A Node that deprecates this binding at run time would warn from inside the call: the warning
  // is caught here, and child_process used instead, so no user ever sees it.
  const emitWarning = process.emitWarning;
  let warned = false;
  process.emitWarning = () => {
    warned = true;
  };
  try {
    const { Process } = binding('process_wrap');
    if (!warned && typeof Process === 'function')
      processWrapClass = Process as new () => ProcessHandle;
  } catch {
  } finally {
    process.emitWarning = emitWarning;
  }
  return processWrapClass;
}

function startWithProcessWrap(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ended: Ended,
): Started {
  const Process = processWrap() as new () => ProcessHandle;
  // The handle copies these into C strings, where a NUL would silently cut them short.
  const envPairs: string[] = [];
  for (const name in env) envPairs.push(`${name}=${env[name]}`);
  const argv = [command, ...args];
  for (const text of [...argv, ...envPairs]) {
    if (text.includes('\0'))
      throw Object.assign(new Error('NUL byte'), { code: 'ERR_INVALID_ARG_VALUE' });
  }
  const handle = new Process();
  handle.onexit = (status, signal) => {
    handle.close();
    ended.exit(status, (signal || null) as NodeJS.Signals | null);
  };
  const status = handle.spawn({
    file: command,
    args: argv,
    envPairs,
    stdio: [0, 1, 2].map((fd) => ({ type: 'inherit', fd })),
    detached: false,
    windowsHide: false,
    windowsVerbatimArguments: false,
  });
  if (status !== 0) {
    handle.close();
    const code = process.getBuiltinModule('node:util').getSystemErrorName(status);
    throw Object.assign(new Error('spawn failed'), { code });
  }
  return {
    kill(signal) {
      handle.kill(signalNumber(signal));
    },
  };
}

function startWithChildProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ended: Ended,
): Started {
  // Node throws some spawn failures (E2BIG among them) and emits the others.
  const child = loadChildProcess().spawn(command, args, { stdio: 'inherit', env });
  child.on('error', (error: NodeJS.ErrnoException) => ended.error(error));
  child.on('exit', (code, signal) => ended.exit(code, signal));
  return {
    kill(signal) {
      child.kill(signal);
    },
  };
}

function describeSpawnError(command: string, error: NodeJS.ErrnoException): KagiError {
  if (error.code === 'ENOENT') {
    return new KagiError('command-not-found', `command not found: ${command}`, {
      hint: "check the spelling and PATH; shell syntax needs an explicit shell: git kagi run -- sh -c '…'",
      exitCode: 127,
    });
  }
  if (error.code === 'EACCES') {
    return new KagiError('not-executable', `cannot execute ${command}: permission denied`, {
      exitCode: 126,
    });
  }
  if (error.code === 'E2BIG') {
    return new KagiError('env-too-large', `the environment is too large to start ${command}`, {
      hint: 'a single variable is limited to 128 KiB by the operating system; store large values in a file',
    });
  }
  return new KagiError(
    'spawn-failed',
    `could not start ${command} (${error.code ?? 'unknown error'})`,
  );
}
