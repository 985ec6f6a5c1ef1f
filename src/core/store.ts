// The store file format of DESIGN §2: a header naming the scope, then one `<tag> <epoch> <payload>`
// line per secret, sorted by tag, unique. Parsing checks shape only; decryption is crypto/.
import { integrityError } from '../errors.js';

export interface StoreLine {
  tag: string;
  epoch: number;
  payload: string;
}

/** The order of a store's lines: by tag, in byte order (tags are ASCII, DESIGN §2). */
export function compareTags(a: { tag: string }, b: { tag: string }): number {
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
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

const LINE_SHAPE = /[A-Za-z0-9_-]{22} [1-9][0-9]{0,8} [A-Za-z0-9_-]+(?:\n|$)/y;
const TAG_LENGTH = 22;

/**
 * A store read for changing some of its lines: the lines stay one text, indexed by where each
 * starts, and changes are spliced in by tag when it is written. `set` in a scope of 10,000
 * secrets then builds no object per line and re-encodes nothing it did not change.
 */
export interface StoreEditor {
  /** The line with this tag, as changed so far. */
  get(tag: string): StoreLine | undefined;
  set(line: StoreLine): void;
  /** Whether there was such a line. */
  delete(tag: string): boolean;
  /** The whole store with the changes, as bytes (the format of formatStore). */
  format(): Uint8Array;
}

/**
 * Opens `bytes` (null: no store yet) for editing. Accepts exactly what parseStore accepts and
 * fails the same way.
 */
export function editStore(bytes: Uint8Array | null, scopeName: string, where: string): StoreEditor {
  const header = formatStoreHeader(scopeName);
  let body = '';
  const starts: number[] = [];
  if (bytes !== null) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const headerEnd = buffer.indexOf(10);
    // Store lines are ASCII: read as latin1, any other byte fails the line check below.
    body = headerEnd === -1 ? '' : buffer.toString('latin1', headerEnd + 1);
    const headerText = buffer.toString('utf8', 0, headerEnd === -1 ? buffer.length : headerEnd);
    let valid = headerText === header && !CONFLICT_MARKER.test(body);
    for (let at = 0; valid && at < body.length; ) {
      LINE_SHAPE.lastIndex = at;
      valid =
        LINE_SHAPE.test(body) &&
        (starts.length === 0 || tagAt(body, starts.at(-1) as number) < tagAt(body, at));
      starts.push(at);
      at = LINE_SHAPE.lastIndex;
    }
    if (!valid) {
      // parseStore says precisely what is wrong, and where.
      parseStore(buffer.toString('utf8'), scopeName, where);
      throw integrityError(`${where} is not a valid store`, 'run `git kagi verify`');
    }
    if (body.length > 0 && !body.endsWith('\n')) body += '\n';
  }
  const edits = new Map<string, StoreLine | null>();

  /** Index of the line with `tag`, or -(insertion point) - 1. */
  function find(tag: string): number {
    let low = 0;
    let high = starts.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const current = tagAt(body, starts[mid] as number);
      if (current < tag) low = mid + 1;
      else if (current > tag) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }

  function lineEnd(index: number): number {
    return index + 1 < starts.length ? (starts[index + 1] as number) : body.length;
  }

  function original(tag: string): StoreLine | undefined {
    const index = find(tag);
    if (index < 0) return undefined;
    const [, epoch, payload] = body.slice(starts[index], lineEnd(index) - 1).split(' ');
    return { tag, epoch: Number(epoch), payload: payload as string };
  }

  return {
    get(tag) {
      const edited = edits.get(tag);
      return edited === undefined ? original(tag) : (edited ?? undefined);
    },
    set(line) {
      edits.set(line.tag, line);
    },
    delete(tag) {
      const existed = this.get(tag) !== undefined;
      edits.set(tag, null);
      return existed;
    },
    format() {
      const pieces: string[] = [];
      let at = 0;
      for (const tag of [...edits.keys()].sort()) {
        const line = edits.get(tag);
        const index = find(tag);
        const start = index >= 0 ? (starts[index] as number) : (starts[-index - 1] ?? body.length);
        pieces.push(body.slice(at, start));
        if (line) pieces.push(`${line.tag} ${line.epoch} ${line.payload}\n`);
        at = index >= 0 ? lineEnd(index) : start;
      }
      pieces.push(body.slice(at));
      return Buffer.concat([
        Buffer.from(`${header}\n`, 'utf8'),
        Buffer.from(pieces.join(''), 'latin1'),
      ]);
    },
  };
}

function tagAt(body: string, start: number): string {
  return body.slice(start, start + TAG_LENGTH);
}
