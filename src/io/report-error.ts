// How a failure reaches the user (DESIGN §6): `error:` then `hint:` on stderr, an exit code from
// the table. Errors that are not ours print no message: Node's own messages can quote values.
import { EXIT, KagiError } from '../errors.js';

export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof KagiError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (debug && error.cause) process.stderr.write(`debug: ${describeCause(error.cause)}\n`);
    return error.exitCode;
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  process.stderr.write(`error: internal error${code ? ` (${code})` : ''}\n`);
  process.stderr.write(
    debug
      ? `debug: ${describeCause(error)}\n`
      : 'hint: run again with KAGI_DEBUG=1 to see details, and report it\n',
  );
  return EXIT.internal;
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
}
