// What a command may touch of the process, built once by command.ts: the environment (with KAGI_*
// key material already removed from process.env), the working folder, the terminal and the clock.
import type { Terminal } from './io/terminal.js';

export interface Runtime {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  terminal: Terminal;
  now(): Date;
  /** Non-data messages (notices, warnings) go to stderr. */
  notice(message: string): void;
}
