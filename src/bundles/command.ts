// What every command does around its own work, whichever bundle runs it (bundles/table.ts): the
// only code that reads process.env. Key material in KAGI_* variables is read once and removed from
// process.env (diagnostic reports include it); errors are reported; the exit code goes back to
// the entry (main.ts), which sets it.
import { KEY_MATERIAL_VARIABLES } from '../core/key-variables.js';
import { handedToStreams, writeErr } from '../io/output.js';
import { reportError } from '../io/report-error.js';
import { askHiddenLine, askLine, type Terminal } from '../io/terminal.js';
import type { Runtime } from '../runtime.js';

/** A fast path's work on the words after the command's name; null sends the command to the CLI. */
export type Work = (args: readonly string[], rt: Runtime) => Promise<number | null>;

export interface Outcome {
  code: number;
  /** The work ran to its end (whatever its exit code): what a code cache should hold. */
  completed: boolean;
  /** It ran to its end and all its output is written: none went through Node's streams. */
  settled: boolean;
}

/**
 * Whether a person is there is decided on first use, and node:tty (with net under it) is loaded
 * only then: start-up that `run` and the hooks never need (bench cases 1 and 4).
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
    ask: askLine,
    askHidden: askHiddenLine,
  };
}

/** Runs `work` on `argv` without its first word, or the CLI on all of `argv` when it returns null. */
export async function withRuntime(argv: readonly string[], work: Work | null): Promise<Outcome> {
  const env = { ...process.env };
  for (const name of KEY_MATERIAL_VARIABLES) delete process.env[name];
  const runtime: Runtime = {
    env,
    cwd: process.cwd(),
    terminal: openTerminal(),
    now: () => new Date(),
    notice: (message) => writeErr(message),
  };
  try {
    const code = work ? await work(argv.slice(1), runtime) : null;
    if (code !== null) return { code, completed: true, settled: !handedToStreams() };
  } catch (error) {
    return { code: reportError(error, env.KAGI_DEBUG === '1'), completed: false, settled: false };
  }
  const { executeCli } = await import('../cli/cli.js');
  return { code: await executeCli(argv, runtime), completed: false, settled: false };
}
