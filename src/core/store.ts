// The store file format of DESIGN §2: a header naming the scope, then one `<tag> <epoch> <payload>`
// line per secret, sorted by tag, unique. Parsing checks shape only; decryption is crypto/.
import { integrityError } from '../errors.js';

export interface StoreLine {
  tag: string;
  epoch: number;
  payload: string;
}

const TAG = /^[A-Za-z0-9_-]{22}$/;
const PAYLOAD = /^[A-Za-z0-9_-]+$/;
const EPOCH = /^[1-9][0-9]{0,8}$/;

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

/** Parses a store; `where` names the file in errors. Lines must be sorted and unique. */
export function parseStore(text: string, scopeName: string, where: string): StoreLine[] {
  const rows = text.split('\n');
  if (rows.at(-1) === '') rows.pop();
  const hint =
    'run `git kagi verify` to see what is wrong; restore the file from git if it was edited by hand';
  if (rows.some((r) => r.startsWith('<<<<<<<') || r.startsWith('>>>>>>>'))) {
    throw integrityError(
      `${where} has unresolved merge conflict markers`,
      'run `git kagi resolve`',
    );
  }
  if (rows[0] !== formatStoreHeader(scopeName)) {
    throw integrityError(`${where} is not a git-kagi store for scope ${scopeName}`, hint);
  }
  const lines: StoreLine[] = [];
  for (let i = 1; i < rows.length; i++) {
    const parts = (rows[i] as string).split(' ');
    const [tag, epoch, payload] = parts;
    if (
      parts.length !== 3 ||
      !tag ||
      !TAG.test(tag) ||
      !epoch ||
      !EPOCH.test(epoch) ||
      !payload ||
      !PAYLOAD.test(payload)
    ) {
      throw integrityError(`${where}:${i + 1} is not a valid store line`, hint);
    }
    const previous = lines.at(-1);
    if (previous && previous.tag >= tag) {
      throw integrityError(`${where}:${i + 1} is out of order or repeats a secret`, hint);
    }
    lines.push({ tag, epoch: Number(epoch), payload });
  }
  return lines;
}
