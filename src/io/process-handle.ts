// The speed trick of `git kagi run` (bench case 1, `run -- true`): its program is started through
// the native process handle that child_process itself is built on, which Node keeps reachable
// through `process.binding` (DESIGN §6, "How run starts its child"). child_process pulls in net,
// dgram and streams, about 2.5 ms of every `run`. io/child-process.ts decides when to use it.

/** A started child: how to signal it. How it ended reaches the `Ended` it was started with. */
export interface Started {
  kill(signal: NodeJS.Signals): void;
}

export interface Ended {
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  /** A failure to start that showed only after the start returned. */
  error(error: NodeJS.ErrnoException): void;
}

/** A signal's number; node:os is loaded only once a signal is involved (0.2 ms of every start). */
export function signalNumber(signal: NodeJS.Signals): number {
  return process.getBuiltinModule('node:os').constants.signals[signal] ?? 0;
}

interface ProcessHandle {
  onexit: (status: number, signal: string) => void;
  spawn(options: object): number;
  kill(signal: number): number;
  close(): void;
}

let handleClass: (new () => ProcessHandle) | null | undefined;

/**
 * The native process handle that `child_process` itself is built on, which Node keeps reachable
 * through `process.binding` (DESIGN.md §6, "How run starts its child"): `child_process` pulls in
 * net, dgram and streams, about 2.5 ms of every `run`. Where the binding may warn
 * (--pending-deprecation wraps it), is refused (the permission model) or looks different,
 * `child_process` does the job.
 */
export function processHandle(): (new () => ProcessHandle) | null {
  if (handleClass !== undefined) return handleClass;
  handleClass = null;
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
    if (!warned && typeof Process === 'function') handleClass = Process as new () => ProcessHandle;
  } catch {
  } finally {
    process.emitWarning = emitWarning;
  }
  return handleClass;
}

export function startWithProcessHandle(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ended: Ended,
): Started {
  const Process = processHandle() as new () => ProcessHandle;
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
