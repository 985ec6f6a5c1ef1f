// How a person confirms what cannot be undone or reveals values (DESIGN §6), in one place: never
// off a terminal (hooks, CI and pipes get the refusal, with its hint), one question on stderr, and
// anything but the expected answer aborts with nothing changed.
import { KagiError } from '../errors.js';
import { writeErr } from './output.js';
import type { Terminal } from './terminal.js';

export interface Confirmation {
  /** Why this cannot go on without a terminal: an error of its own, or a `needs-terminal` one. */
  offTerminal: KagiError | { message: string; hint: string };
  /** Printed on a line of its own before the question. */
  preface?: string;
  question: string;
  /** `y` for a `[y/N]` question (either case), or the exact text to type. */
  expect: string;
  /** The message of the `aborted` error for any other answer: what was not done. */
  aborted: string;
}

export async function confirm(terminal: Terminal, c: Confirmation): Promise<void> {
  if (!terminal.interactive) {
    const off = c.offTerminal;
    throw off instanceof KagiError
      ? off
      : new KagiError('needs-terminal', off.message, { hint: off.hint });
  }
  if (c.preface !== undefined) writeErr(c.preface);
  const answer = (await terminal.ask(c.question)).trim();
  const agreed = c.expect === 'y' ? answer.toLowerCase() === 'y' : answer === c.expect;
  if (!agreed) throw new KagiError('aborted', c.aborted);
}
