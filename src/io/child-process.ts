// Runs a program the way `git kagi run` promises (DESIGN §6): inherited stdio, forwarded
// SIGINT/SIGTERM/SIGHUP, the child's exit code passed through (128+n for a signal), 127 if missing.
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { KagiError } from '../errors.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: 'inherit', env });
    } catch (error) {
      // Node throws some spawn failures (E2BIG among them) instead of emitting 'error'.
      reject(describeSpawnError(command, error as NodeJS.ErrnoException));
      return;
    }
    const forward = (signal: NodeJS.Signals) => () => {
      if (reachesChildDirectly(signal)) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(describeSpawnError(command, error));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) resolve(128 + (os.constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
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
