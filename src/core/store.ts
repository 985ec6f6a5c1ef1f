// The store file format of DESIGN §2: a header naming the scope, then one `<tag> <epoch> <payload>`
// line per secret, sorted by tag, unique. Parsing checks shape only; decryption is crypto/.
import { integrityError } from '../errors.js';

export interface StoreLine {
  tag: string;
  epoch: number;
  payload: string;
}


export function formatStoreHeader(scopeName: string): string {
  return `# git-kagi store ${scopeName} — edit with git kagi, not by hand`;
}

export function formatStore(scopeName: string, lines: ReadonlyArray<StoreLine>): string {
  const body = lines.map((l) => `${l.tag} ${l.epoch} ${l.payload}\n`).join('');
  return `${formatStoreHeader(scopeName)}\n${body}`;
}

/**
 * Whether a line may be at another epoch than `epoch`: a scan of the second field of each line
 * without parsing (a hook checks every store after each merge). False means every line is at
 * `epoch` or the store is empty; true is decided by parseStore.
 */
export function mayHaveOtherEpoch(text: string, epoch: number): boolean {
  const field = ` ${epoch} `;
  let at = text.indexOf('\n') + 1;
  while (at > 0 && at < text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline === -1 ? text.length : newline;
    const space = text.indexOf(' ', at);
    if (space === -1 || space > end || !text.startsWith(field, space)) return true;
    at = end + 1;
  }
  return false;
}

/** One store line at the sticky position: tag, epoch, payload, then a newline or the end. */
const LINE = /([A-Za-z0-9_-]{22}) ([1-9][0-9]{0,8}) ([A-Za-z0-9_-]+)(?:\n|$)/y;
const CONFLICT_MARKER = /^(?:<<<<<<<|>>>>>>>)/m;

/**
 * Parses a store; `where` names the file in errors. Lines must be sorted and unique. One sticky
 * regular expression per line: a 10,000-line store parses in a few milliseconds.
 */
export function parseStore(text: string, scopeName: string, where: string): StoreLine[] {
  const hint =
    'run `git kagi verify` to see what is wrong; restore the file from git if it was edited by hand';
  if (CONFLICT_MARKER.test(text)) {
    throw integrityError(
      `${where} has unresolved merge conflict markers`,
      'run `git kagi resolve`',
    );
  }
  const headerEnd = text.indexOf('\n');
  if ((headerEnd === -1 ? text : text.slice(0, headerEnd)) !== formatStoreHeader(scopeName)) {
    throw integrityError(`${where} is not a git-kagi store for scope ${scopeName}`, hint);
  }
  const lines: StoreLine[] = [];
  let at = headerEnd === -1 ? text.length : headerEnd + 1;
  for (let row = 2; at < text.length; row++) {
    LINE.lastIndex = at;
    const match = LINE.exec(text);
    if (!match) throw integrityError(`${where}:${row} is not a valid store line`, hint);
    const tag = match[1] as string;
    const previous = lines.at(-1);
    if (previous && previous.tag >= tag) {
      throw integrityError(`${where}:${row} is out of order or repeats a secret`, hint);
    }
    lines.push({ tag, epoch: Number(match[2]), payload: match[3] as string });
    at = LINE.lastIndex;
  }
  return lines;
}
