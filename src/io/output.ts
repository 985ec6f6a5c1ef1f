// Where text goes: data on stdout, everything else on stderr (DESIGN §6). Written straight to the
// file descriptor: creating process.stdout or process.stderr loads the stream, net or tty code
// behind them, start-up that a listing or a hook does not need (bench cases 1, 3 and 4). A
// descriptor that would block (a non-blocking pipe) hands over to Node's stream for the rest, so
// nothing is reordered.
import { writeSync } from 'node:fs';
import { KagiError } from '../errors.js';

const streamed = { 1: false, 2: false };

function writeTo(fd: 1 | 2, text: string): void {
  const line = text.endsWith('\n') ? text : `${text}\n`;
  if (streamed[fd]) {
    (fd === 1 ? process.stdout : process.stderr).write(line);
    return;
  }
  let bytes: Buffer | null = null;
  let at = 0;
  try {
    // The text itself first: Node writes a string for 0.1 ms less than a Buffer on a first call.
    at = writeSync(fd, line);
    if (at === Buffer.byteLength(line, 'utf8')) return;
    bytes = Buffer.from(line, 'utf8');
    while (at < bytes.length) at += writeSync(fd, bytes, at);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return; // the reader is gone (`git kagi get | head -1`)
    if (code !== 'EAGAIN') {
      if (fd === 2) return; // nowhere left to say so
      throw new KagiError('write-failed', `could not write to standard output (${code})`, {
        hint: 'check where the output goes: a full disk or a closed file',
        cause: error,
      });
    }
    streamed[fd] = true;
    (fd === 1 ? process.stdout : process.stderr).write((bytes ?? Buffer.from(line)).subarray(at));
  }
}

/** Whether some output went through Node's streams, which may still be writing it. */
export function handedToStreams(): boolean {
  return streamed[1] || streamed[2];
}

/** Data goes to stdout. */
export function writeOut(text: string): void {
  writeTo(1, text);
}

/** Everything else goes to stderr. */
export function writeErr(text: string): void {
  writeTo(2, text);
}
