// The .env reader and writer of DESIGN §7 (decisions in docs/dotenv.md): parseDotenv rejects the
// whole file at its first bad line and never interpolates; serializeDotenv writes what it reads
// back unchanged. Errors name the file, line and a valid key, never any other text of the input.
// One file over 300 lines on purpose: the reader's grammar and the writer's quoting are one set of
// rules (what serializeDotenv writes, parseDotenv must read back identically; tests hold the two
// together), and splitting them would put one grammar in two places.

import { KagiError } from '../errors.js';

export interface DotenvEntry {
  name: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME_RULE = 'names are ASCII letters, digits and _, and do not start with a digit';
// In unicode mode a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// Only these are decoded inside double quotes; any other backslash pair is kept as written, so a
// Windows path or a regex survives (compose-go and python-dotenv would also decode \a \b \f \v).
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  '"': '"',
};
const BARE_SAFE = /^[A-Za-z0-9_./:@+,=-]*$/;

/** A syntax problem found while scanning; becomes a KagiError once we know it is the first one. */
class Problem {
  readonly line: number;
  readonly message: string;
  readonly hint: string;
  constructor(line: number, message: string, hint: string) {
    this.line = line;
    this.message = message;
    this.hint = hint;
  }
}

/**
 * Parses a .env file. Throws KagiError (code 'dotenv-syntax') on the FIRST invalid line, with the
 * message `${file}:${line}: <problem>` and a hint naming the fix. Duplicate names are all returned,
 * in file order; callers that import treat the last one as the value (as npm dotenv does).
 */
export function parseDotenv(input: Uint8Array | string, file: string): DotenvEntry[] {
  const { text, problem: encodingProblem } = decodeInput(input);
  let entries: DotenvEntry[] = [];
  let problem: Problem | undefined;
  try {
    entries = scanStatements(text);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    problem = error;
  }
  // The text was decoded leniently so that a syntax error on an earlier line still wins.
  if (
    encodingProblem !== undefined &&
    (problem === undefined || encodingProblem.line <= problem.line)
  ) {
    problem = encodingProblem;
  }
  if (problem !== undefined) {
    throw new KagiError('dotenv-syntax', `${file}:${problem.line}: ${problem.message}`, {
      hint: problem.hint,
    });
  }
  return entries;
}

/**
 * For `.env.example`: names of `KEY=value` lines and of commented `# KEY=value` / `#KEY=` lines,
 * with the example value ('' for commented lines and for values that do not parse), in file
 * order, duplicates removed (first wins). Never throws: an example file only suggests names.
 */
export function parseExampleNames(
  input: Uint8Array | string,
  _file: string,
): Array<{ name: string; value: string; commented: boolean }> {
  const text = decodeLeniently(input);
  const found: Array<{ name: string; value: string; commented: boolean }> = [];
  const seen = new Set<string>();
  const add = (name: string, value: string, commented: boolean): void => {
    if (seen.has(name)) return;
    seen.add(name);
    found.push({ name, value, commented });
  };
  let pos = 0;
  let line = 1;
  while (pos <= text.length) {
    let eol = findLineEnd(text, pos);
    const lineText = text.slice(pos, eol);
    const commented = /^[ \t]*#[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=/.exec(
      lineText,
    );
    if (commented !== null) {
      add(commented[1]!, '', true);
    } else {
      const head = splitHead(lineText);
      if (head !== undefined && NAME.test(head.name)) {
        try {
          const read = readValue(text, pos + head.valueStart, eol, head.name, line);
          add(head.name, read.value, false);
          eol = read.end;
          line += read.newlines;
        } catch (error) {
          if (!(error instanceof Problem)) throw error;
          add(head.name, '', false);
        }
      }
    }
    if (eol >= text.length) break;
    pos = eol + 1;
    line++;
  }
  return found;
}

/**
 * Writes entries so that parseDotenv reads back exactly the same names and values, and npm
 * dotenv, python-dotenv and compose-go read the same wherever they can (docs/dotenv.md lists the
 * values they read differently). One line per entry except single-quoted multi-line values;
 * ends with '\n' ('' for no entries). Throws KagiError 'dotenv-name' / 'dotenv-value'.
 */
export function serializeDotenv(entries: ReadonlyArray<{ name: string; value: string }>): string {
  let out = '';
  entries.forEach((entry, index) => {
    if (!NAME.test(entry.name)) {
      throw new KagiError('dotenv-name', `entry ${index + 1} has an invalid variable name`, {
        hint: NAME_RULE,
      });
    }
    if (entry.value.includes('\0')) {
      throw new KagiError('dotenv-value', `the value of ${entry.name} contains a NUL byte`, {
        hint: 'environment variables cannot hold NUL: store binary secrets encoded, e.g. as base64',
      });
    }
    if (LONE_SURROGATE.test(entry.value)) {
      throw new KagiError('dotenv-value', `the value of ${entry.name} is not valid Unicode text`, {
        hint: 'the value has an unpaired UTF-16 surrogate, which UTF-8 cannot represent',
      });
    }
    out += `${entry.name}=${formatValue(entry.value)}\n`;
  });
  return out;
}

function formatValue(value: string): string {
  if (BARE_SAFE.test(value)) return value;
  // Single quotes are literal here and in npm dotenv and compose-go; python-dotenv decodes \\ and
  // \' in them, and a trailing backslash would escape the closing quote for python and compose-go.
  // A CR would come back as LF (we normalise line ends), so it needs the \r escape.
  if (
    !value.includes("'") &&
    !value.includes('\r') &&
    !value.includes('\\\\') &&
    !value.endsWith('\\')
  ) {
    return `'${value}'`;
  }
  let out = '"';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return `${out}"`;
}

function decodeInput(input: Uint8Array | string): { text: string; problem: Problem | undefined } {
  let raw: string;
  let problem: Problem | undefined;
  if (typeof input === 'string') {
    raw = input.startsWith('\uFEFF') ? input.slice(1) : input;
  } else {
    const bytes = stripByteOrderMark(input);
    try {
      raw = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      problem = new Problem(
        countLinesBefore(bytes, findFirstInvalidByte(bytes)),
        'not valid UTF-8',
        'save the file as UTF-8; store binary secrets encoded, e.g. as base64',
      );
      raw = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    }
  }
  // CRLF and a lone CR both end a line (as in npm dotenv and python-dotenv), also inside quotes:
  // a checkout with core.autocrlf must not change a multi-line value.
  const text = raw.replace(/\r\n?/g, '\n');
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate !== null && problem === undefined) {
    problem = new Problem(
      lineAt(text, surrogate.index),
      'not valid Unicode text (unpaired surrogate)',
      'save the file as UTF-8',
    );
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    const line = lineAt(text, nul);
    if (problem === undefined || line < problem.line) {
      problem = new Problem(
        line,
        'NUL byte',
        'remove the NUL byte: environment variables cannot hold NUL (store binary secrets encoded, e.g. as base64)',
      );
    }
  }
  return { text, problem };
}

function decodeLeniently(input: Uint8Array | string): string {
  const raw =
    typeof input === 'string'
      ? input.replace(/^\uFEFF/, '')
      : new TextDecoder('utf-8', { ignoreBOM: true }).decode(stripByteOrderMark(input));
  return raw.replace(/\r\n?/g, '\n');
}

function stripByteOrderMark(bytes: Uint8Array): Uint8Array {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * Index of the byte where a fatal TextDecoder first fails: the shortest failing prefix, found by
 * bisection so that TextDecoder itself (not a second validator) decides what is invalid.
 */
function findFirstInvalidByte(bytes: Uint8Array): number {
  const fails = (length: number): boolean => {
    try {
      // stream: an incomplete sequence at the cut is not an error unless it is the real end.
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), {
        stream: length < bytes.length,
      });
      return false;
    } catch {
      return true;
    }
  };
  let low = 1;
  let high = bytes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (fails(mid)) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}

function countLinesBefore(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  }
  return line;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function findLineEnd(text: string, from: number): number {
  const eol = text.indexOf('\n', from);
  return eol === -1 ? text.length : eol;
}

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

function scanStatements(text: string): DotenvEntry[] {
  const entries: DotenvEntry[] = [];
  let pos = 0;
  let line = 1;
  while (pos <= text.length) {
    let eol = findLineEnd(text, pos);
    const lineText = text.slice(pos, eol);
    if (!isBlankOrComment(lineText)) {
      const head = splitHead(lineText);
      if (head === undefined) throw describeMissingEquals(line, lineText);
      if (!NAME.test(head.name)) throw describeInvalidName(line, head.name);
      const read = readValue(text, pos + head.valueStart, eol, head.name, line);
      entries.push({ name: head.name, value: read.value, line });
      eol = read.end;
      line += read.newlines;
    }
    if (eol >= text.length) break;
    pos = eol + 1;
    line++;
  }
  return entries;
}

function isBlankOrComment(lineText: string): boolean {
  let i = 0;
  while (isBlank(lineText[i])) i++;
  return i === lineText.length || lineText[i] === '#';
}

/** Splits `[export ]NAME = ` at the first '='; the name is not validated yet. */
function splitHead(lineText: string): { name: string; valueStart: number } | undefined {
  const eq = lineText.indexOf('=');
  if (eq === -1) return undefined;
  let start = 0;
  while (isBlank(lineText[start])) start++;
  // `export=1` and `export =1` name a variable called export; `exportFOO` is a name too.
  if (lineText.startsWith('export', start) && isBlank(lineText[start + 6])) {
    let next = start + 6;
    while (isBlank(lineText[next])) next++;
    if (next < eq) start = next;
  }
  let end = eq;
  while (end > start && isBlank(lineText[end - 1])) end--;
  let valueStart = eq + 1;
  while (isBlank(lineText[valueStart])) valueStart++;
  return { name: lineText.slice(start, end), valueStart };
}

/**
 * Reads the value starting at `start` (blanks after '=' already skipped). `end` is the index of the
 * '\n' (or text end) that closes the statement; `newlines` counts lines a quoted value spans.
 */
function readValue(
  text: string,
  start: number,
  eol: number,
  name: string,
  line: number,
): { value: string; end: number; newlines: number } {
  const quote = text[start];
  if (quote === "'") {
    const close = text.indexOf("'", start + 1);
    if (close === -1) {
      throw new Problem(
        line,
        `unterminated single-quoted value of ${name}`,
        "add the closing '; a value that itself contains ' must be double-quoted",
      );
    }
    const value = text.slice(start + 1, close);
    const newlines = countNewlines(value);
    return { value, end: checkAfterQuote(text, close + 1, name, line + newlines), newlines };
  }
  if (quote === '"') {
    let value = '';
    let newlines = 0;
    let i = start + 1;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || (ch === '\\' && i + 1 >= text.length)) {
        throw new Problem(
          line,
          `unterminated double-quoted value of ${name}`,
          'add the closing "; write \\" for a double quote inside the value',
        );
      }
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[i + 1]!;
        value += ESCAPES[next] ?? `\\${next}`;
        if (next === '\n') newlines++;
        i += 2;
        continue;
      }
      if (ch === '\n') newlines++;
      value += ch;
      i++;
    }
    return { value, end: checkAfterQuote(text, i + 1, name, line + newlines), newlines };
  }
  if (quote === '`') {
    // npm dotenv strips backticks, python-dotenv and compose-go keep them: any choice would
    // silently import a value the application does not see under one of them.
    throw new Problem(
      line,
      `backtick-quoted value of ${name} is not supported`,
      'parsers disagree on backticks; use single quotes (literal) or double quotes (with escapes)',
    );
  }
  // Unquoted: a '#' starts a comment only after a blank, so `a=b#c` keeps `b#c`.
  let stop = eol;
  for (let i = start; i < eol; i++) {
    if (text[i] === '#' && isBlank(text[i - 1])) {
      stop = i;
      break;
    }
  }
  while (stop > start && isBlank(text[stop - 1])) stop--;
  return { value: text.slice(start, stop), end: eol, newlines: 0 };
}

/** After a closing quote only blanks and a comment may follow; returns the end of that line. */
function checkAfterQuote(text: string, from: number, name: string, line: number): number {
  const eol = findLineEnd(text, from);
  let i = from;
  while (isBlank(text[i])) i++;
  if (i < eol && text[i] !== '#') {
    throw new Problem(
      line,
      `unexpected text after the closing quote of ${name}`,
      "only blanks and a # comment may follow the quoted value; single quotes take no escapes, so double-quote a value that contains '",
    );
  }
  return eol;
}

function countNewlines(value: string): number {
  let count = 0;
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) count++;
  return count;
}

function describeMissingEquals(line: number, lineText: string): Problem {
  // The YAML-like `KEY: value` form (compose-go) is common; naming KEY is safe once it is valid.
  const yaml = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]|$)/.exec(lineText);
  const hint =
    yaml !== null
      ? `write ${yaml[1]}=value: the "KEY: value" form is not supported`
      : 'write NAME=value (NAME= for an empty value), or start the line with # to make it a comment';
  return new Problem(line, 'expected NAME=value, a # comment or a blank line', hint);
}

/**
 * The name is line text: echo a corrected name only when the original looks like a name (a
 * pasted secret rarely does), so a hint cannot leak a secret that sits before an '='.
 */
function describeInvalidName(line: number, raw: string): Problem {
  if (raw === '') {
    return new Problem(line, 'missing variable name', "put the variable name before the '='");
  }
  const quoted = /^(['"])(.*)\1$/.exec(raw);
  if (quoted !== null && NAME.test(quoted[2]!)) {
    return new Problem(
      line,
      'invalid variable name',
      `remove the quotes around the name: ${quoted[2]}=…`,
    );
  }
  if (/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) {
    const fixed = raw.replace(/[.-]/g, '_');
    const suggestion = /^[0-9]/.test(fixed) ? `_${fixed}` : fixed;
    return new Problem(line, 'invalid variable name', `${NAME_RULE}: rename it to ${suggestion}`);
  }
  return new Problem(line, 'invalid variable name', NAME_RULE);
}
