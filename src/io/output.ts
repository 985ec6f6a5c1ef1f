// Where text goes: data on stdout, everything else on stderr (DESIGN §6).

/** Data goes to stdout. */
export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Everything else goes to stderr. */
export function writeErr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
