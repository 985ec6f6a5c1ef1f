// Runs a program the way `git kagi run` promises (DESIGN §6): inherited stdio, forwarded
// SIGINT/SIGTERM/SIGHUP, the child's exit code passed through (128+n for a signal), 127 if missing.
// It starts it through the process handle (io/process-handle.ts) where that is safe, else, or
// when asked (KAGI_SPAWN=child_process), through child_process.
import { KagiError } from '../errors.js';
import {
  type Ended,
  processHandle,
  type Started,
  signalNumber,
  startWithProcessHandle,
} from './process-handle.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ctrl-C and a terminal hang-up reach the whole foreground process group, the child included:
 * forwarding them too would deliver them twice (docker compose, for one, force-quits on a second
 * Ctrl-C). On a terminal those two are only caught, so that we wait for the child's exit code.
 */
function reachesChildDirectly(signal: NodeJS.Signals): boolean {
  return signal !== 'SIGTERM' && process.stdin.isTTY === true;
}

/** How to start the program: the process handle where it is safe (`auto`), or child_process. */
export type Launcher = 'auto' | 'child_process';

export function runChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  launcher: Launcher = 'auto',
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
    let child: Started | undefined;
    // Installed before the child starts: it runs at once, and a signal sent as soon as it is up
    // (a supervisor that saw it start) must find them, not Node's default, which would end `run`
    // and leave the child behind. Left installed once the child has ended: `run` ends with it,
    // and taking them off would cost every run 0.1 ms.
    for (const signal of FORWARDED) {
      process.on(signal, () => {
        if (running && !reachesChildDirectly(signal)) child?.kill(signal);
      });
    }
    try {
      const start =
        launcher === 'auto' && processHandle() ? startWithProcessHandle : startWithChildProcess;
      child = start(command, args, env, ended);
    } catch (error) {
      running = false;
      reject(describeSpawnError(command, error as NodeJS.ErrnoException));
    }
  });
}

function startWithChildProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ended: Ended,
): Started {
  // Node throws some spawn failures (E2BIG among them) and emits the others.
  const child = process
    .getBuiltinModule('node:child_process')
    .spawn(command, args, { stdio: 'inherit', env });
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
    });
  }
  if (error.code === 'EACCES') {
    return new KagiError('not-executable', `cannot execute ${command}: permission denied`);
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
