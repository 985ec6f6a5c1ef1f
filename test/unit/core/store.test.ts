// Unit and property tests of src/core/store.ts: the store file of DESIGN §2 (header, one sorted,
// unique `<tag> <epoch> <payload>` line per secret), what parsing rejects, and line-local upserts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  editStore,
  formatStore,
  formatStoreHeader,
  mayHaveOtherEpoch,
  parseStore,
  type StoreLine,
} from '../../../src/core/store.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const SCOPE = 'api/development';
const HEADER = '# git-kagi store api/development — edit with git kagi, not by hand';
const WHERE = '.kagi/secrets/api/development.enc';

const A: StoreLine = { tag: 'AAAAAAAAAAAAAAAAAAAAAA', epoch: 1, payload: 'cGF5bG9hZC1h' };
const B: StoreLine = { tag: 'BBBBBBBBBBBBBBBBBBBBBB', epoch: 1, payload: 'cGF5bG9hZC1i' };
const C: StoreLine = { tag: 'CCCCCCCCCCCCCCCCCCCCCC', epoch: 1, payload: 'cGF5bG9hZC1j' };

function parseError(text: string, scope = SCOPE): KagiError {
  try {
    parseStore(text, scope, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    return error as KagiError;
  }
  throw new Error('expected parseStore to throw');
}

function expectIntegrity(error: KagiError): void {
  expect(error.code).toBe('integrity');
  expect(error.exitCode).toBe(EXIT.integrity);
}

const base64url = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
);
const tagArb = fc.string({ unit: base64url, minLength: 22, maxLength: 22 });
const lineArb = fc.record({
  tag: tagArb,
  epoch: fc.integer({ min: 1, max: 999_999_999 }),
  payload: fc.string({ unit: base64url, minLength: 1, maxLength: 300 }),
});
const sortedLinesArb = fc
  .uniqueArray(lineArb, { selector: (l) => l.tag, maxLength: 30 })
  .map((lines) => [...lines].sort((a, b) => (a.tag < b.tag ? -1 : 1)));

describe('formatStore', () => {
  it('writes the header naming the scope, then one line per secret, newline-terminated', () => {
    expect(formatStoreHeader(SCOPE)).toBe(HEADER);
    expect(formatStore(SCOPE, [A, B])).toBe(
      `${HEADER}\n${A.tag} 1 ${A.payload}\n${B.tag} 1 ${B.payload}\n`,
    );
  });

  it('writes an empty scope as the header line alone', () => {
    expect(formatStore('production', [])).toBe(
      '# git-kagi store production — edit with git kagi, not by hand\n',
    );
    expect(parseStore(formatStore('production', []), 'production', WHERE)).toEqual([]);
  });
});

describe('parseStore', () => {
  it('reads back what formatStore wrote', () => {
    expect(parseStore(formatStore(SCOPE, [A, B, C]), SCOPE, WHERE)).toEqual([A, B, C]);
  });

  it('round-trips any sorted, unique set of lines byte for byte (property)', () => {
    fc.assert(
      fc.property(sortedLinesArb, (lines) => {
        const text = formatStore(SCOPE, lines);
        const parsed = parseStore(text, SCOPE, WHERE);
        expect(parsed).toEqual(lines);
        expect(formatStore(SCOPE, parsed)).toBe(text);
      }),
    );
  });

  it('accepts a last line without a trailing newline', () => {
    expect(parseStore(`${HEADER}\n${A.tag} 1 ${A.payload}`, SCOPE, WHERE)).toEqual([A]);
  });

  it('rejects a store whose header names another scope (a file moved or copied)', () => {
    const error = parseError(formatStore('web/development', [A]));
    expectIntegrity(error);
    expect(error.message).toContain(WHERE);
    expect(error.message).toContain('api/development');
  });

  it('rejects an empty file, a missing header and garbage', () => {
    expectIntegrity(parseError(''));
    expectIntegrity(parseError(`${A.tag} 1 ${A.payload}\n`));
    expectIntegrity(parseError('\u0000\u00ff not a store at all\n'));
    expectIntegrity(parseError(`${HEADER.toUpperCase()}\n`));
  });

  it('rejects lines out of order or repeating a tag, naming the line', () => {
    const unsorted = parseError(`${HEADER}\n${B.tag} 1 x\n${A.tag} 1 y\n`);
    expectIntegrity(unsorted);
    expect(unsorted.message).toContain(`${WHERE}:3`);
    const repeated = parseError(`${HEADER}\n${A.tag} 1 x\n${A.tag} 1 y\n`);
    expectIntegrity(repeated);
    expect(repeated.message).toContain(`${WHERE}:3`);
  });

  it.each([
    ['a blank line', ''],
    ['a tag one character short', `${A.tag.slice(1)} 1 ${A.payload}`],
    ['a tag one character long', `${A.tag}A 1 ${A.payload}`],
    ['a tag with a base64 "+"', `${A.tag.slice(1)}+ 1 ${A.payload}`],
    ['epoch 0', `${A.tag} 0 ${A.payload}`],
    ['a negative epoch', `${A.tag} -1 ${A.payload}`],
    ['an epoch with a leading zero', `${A.tag} 01 ${A.payload}`],
    ['a ten-digit epoch', `${A.tag} 1000000000 ${A.payload}`],
    ['a non-numeric epoch', `${A.tag} one ${A.payload}`],
    ['no payload', `${A.tag} 1`],
    ['an empty payload', `${A.tag} 1 `],
    ['a padded (=) payload', `${A.tag} 1 ${A.payload}==`],
    ['a fourth field', `${A.tag} 1 ${A.payload} extra`],
    ['two spaces', `${A.tag}  1 ${A.payload}`],
    ['a tab separator', `${A.tag}\t1\t${A.payload}`],
    ['a CRLF line end', `${A.tag} 1 ${A.payload}\r`],
    ['a comment line', '# a note'],
  ])('rejects %s with exit 4, naming file and line', (_what, row) => {
    const error = parseError(`${HEADER}\n${row}\n`);
    expectIntegrity(error);
    expect(error.message).toContain(`${WHERE}:2`);
  });

  it('rejects trailing blank lines', () => {
    expectIntegrity(parseError(`${HEADER}\n${A.tag} 1 ${A.payload}\n\n`));
  });

  it('never quotes the offending line in the error', () => {
    const row = `${A.tag} 1 ${A.payload} canary-Kq7zX9wP3Jv5`;
    const error = parseError(`${HEADER}\n${row}\n`);
    expect(`${error.message}\n${error.hint}`).not.toContain('canary-Kq7zX9wP3Jv5');
  });

  it('reports git conflict markers with a hint to run git kagi resolve', () => {
    const conflicted = [
      HEADER,
      '<<<<<<< HEAD',
      `${A.tag} 1 ${A.payload}`,
      '=======',
      `${A.tag} 1 ${B.payload}`,
      '>>>>>>> feature',
      `${B.tag} 1 ${B.payload}`,
      '',
    ].join('\n');
    const error = parseError(conflicted);
    expectIntegrity(error);
    expect(error.message).toContain('conflict');
    expect(error.hint).toContain('git kagi resolve');
  });

  it('reports conflict markers even when the header itself is in conflict', () => {
    const error = parseError(`<<<<<<< HEAD\n${HEADER}\n=======\n>>>>>>> other\n`);
    expectIntegrity(error);
    expect(error.hint).toContain('git kagi resolve');
  });
});

describe('mayHaveOtherEpoch', () => {
  it('is false for an empty store and for one whose lines are all at the epoch', () => {
    expect(mayHaveOtherEpoch(`${HEADER}\n`, 1)).toBe(false);
    expect(mayHaveOtherEpoch(HEADER, 1)).toBe(false);
    expect(mayHaveOtherEpoch(formatStore(SCOPE, [A, B, C]), 1)).toBe(false);
  });

  it('is true when a line is at another epoch, or is not a store line at all', () => {
    expect(mayHaveOtherEpoch(formatStore(SCOPE, [A, { ...B, epoch: 2 }, C]), 1)).toBe(true);
    expect(mayHaveOtherEpoch(formatStore(SCOPE, [A, B]), 11)).toBe(true);
    expect(mayHaveOtherEpoch(`${HEADER}\ngarbage\n`, 1)).toBe(true);
    expect(mayHaveOtherEpoch(`${HEADER}\n<<<<<<< ours\n`, 1)).toBe(true);
    // A line cut after its epoch, with or without a newline: parseStore decides.
    expect(mayHaveOtherEpoch(`${HEADER}\n${A.tag} 1`, 1)).toBe(true);
    expect(mayHaveOtherEpoch(`${HEADER}\n${A.tag} 1\n`, 1)).toBe(true);
  });

  it('never says false where parseStore finds a line at another epoch', () => {
    fc.assert(
      fc.property(sortedLinesArb, fc.integer({ min: 1, max: 999_999_999 }), (lines, epoch) => {
        const text = formatStore(SCOPE, lines);
        const other = parseStore(text, SCOPE, WHERE).some((l) => l.epoch !== epoch);
        if (other) expect(mayHaveOtherEpoch(text, epoch)).toBe(true);
        else expect(mayHaveOtherEpoch(text, epoch)).toBe(false);
      }),
    );
  });
});

describe('editStore', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const text = (data: Uint8Array) => new TextDecoder().decode(data);

  it('changes, adds and removes lines in place, leaving the others as they were', () => {
    const editor = editStore(bytes(formatStore(SCOPE, [A, C])), SCOPE, WHERE);
    expect(editor.get(A.tag)).toEqual(A);
    expect(editor.get(B.tag)).toBeUndefined();
    editor.set({ ...A, payload: 'bmV3' });
    editor.set(B);
    expect(editor.delete(C.tag)).toBe(true);
    expect(editor.delete(C.tag)).toBe(false);
    expect(editor.get(A.tag)?.payload).toBe('bmV3');
    expect(text(editor.format())).toBe(formatStore(SCOPE, [{ ...A, payload: 'bmV3' }, B]));
  });

  it('starts an absent store from its header', () => {
    const editor = editStore(null, SCOPE, WHERE);
    expect(text(editor.format())).toBe(`${HEADER}\n`);
    editor.set(B);
    expect(text(editor.format())).toBe(formatStore(SCOPE, [B]));
  });

  it('ends the last line with a newline when the file did not', () => {
    const editor = editStore(bytes(formatStore(SCOPE, [A, B]).slice(0, -1)), SCOPE, WHERE);
    editor.set(C);
    expect(text(editor.format())).toBe(formatStore(SCOPE, [A, B, C]));
  });

  it('refuses what parseStore refuses, with the same error', () => {
    const bad = [
      `${HEADER}\n${A.tag} 1 x\n${A.tag} 1 y\n`,
      `${HEADER}\n${B.tag} 1 x\n${A.tag} 1 y\n`,
      `${HEADER}\nnot a line\n`,
      `${HEADER}\n${A.tag} 1 pay\u00e9load\n`,
      `${HEADER}\n<<<<<<< ours\n`,
      `# git-kagi store web/development — edit with git kagi, not by hand\n`,
      `${HEADER}\n${A.tag} 1 x\n\n`,
    ];
    for (const store of bad) {
      let error: unknown;
      try {
        editStore(bytes(store), SCOPE, WHERE);
      } catch (caught) {
        error = caught;
      }
      expect(error, store).toBeInstanceOf(KagiError);
      expect((error as KagiError).message).toBe(parseError(store).message);
    }
  });

  it('gives what a full parse, a map of changes and formatStore give', () => {
    const change = fc.oneof(
      lineArb.map((line) => ({ set: line })),
      tagArb.map((tag) => ({ delete: tag })),
    );
    fc.assert(
      fc.property(
        sortedLinesArb,
        fc.array(change, { maxLength: 20 }),
        fc.boolean(),
        (lines, changes, pick) => {
          const before = formatStore(SCOPE, lines);
          const editor = editStore(bytes(before), SCOPE, WHERE);
          const expected = new Map(parseStore(before, SCOPE, WHERE).map((l) => [l.tag, l]));
          for (const c of changes) {
            // Half of the deletions aim at existing lines.
            const tag = 'delete' in c ? (pick && lines[0] ? lines[0].tag : c.delete) : c.set.tag;
            if ('delete' in c) expect(editor.delete(tag)).toBe(expected.delete(tag));
            else {
              editor.set(c.set);
              expected.set(tag, c.set);
            }
            expect(editor.get(tag)).toEqual(expected.get(tag));
          }
          const sorted = [...expected.values()].sort((a, b) => (a.tag < b.tag ? -1 : 1));
          expect(text(editor.format())).toBe(formatStore(SCOPE, sorted));
        },
      ),
    );
  });
});
