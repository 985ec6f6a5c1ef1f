// The base of every command: runs it with the Runtime and turns any failure into the exit code
// table of DESIGN §6 (clipanion would print errors on stdout and exit 1).
import { type BaseContext, Command } from 'clipanion';
import { reportError } from '../io/report-error.js';
import type { Runtime } from '../runtime.js';

export interface KagiContext extends BaseContext {
  runtime: Runtime;
}

export abstract class KagiCommand extends Command<KagiContext> {
  abstract perform(rt: Runtime): Promise<number | undefined>;

  async execute(): Promise<number> {
    const rt = this.context.runtime;
    try {
      return (await this.perform(rt)) ?? 0;
    } catch (error) {
      return reportError(error, rt.env.KAGI_DEBUG === '1');
    }
  }
}

export { writeErr, writeOut } from '../io/output.js';
