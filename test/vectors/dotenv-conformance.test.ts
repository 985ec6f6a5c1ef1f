// Runs every .env case of npm dotenv, python-dotenv and compose-go (copied into test/vectors/data/,
// sources in its README.md) through parseDotenv. A case agrees exactly unless DECISIONS lists it as
// a deliberate 'reject' or 'differ' (DESIGN §7, docs/dotenv.md), so any change of behaviour on a
// vector fails here.

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: .env values hold a literal ${VAR}, never interpolated

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseDotenv } from '../../src/core/dotenv.js';
import { KagiError } from '../../src/errors.js';

const VECTORS = new URL('./data/', import.meta.url);
const FILE = '.env';

/** What the other parser returns for a case. */
type Expected =
  | { kind: 'map'; map: Record<string, string>; partial: boolean } // partial: only asserted keys
  | { kind: 'list'; pairs: Array<[string, string | null]> } // python: every binding, in order
  | { kind: 'error'; line: number };

interface Case {
  id: string;
  input: string;
  expected: Expected;
}

type Decision =
  /** We throw dotenv-syntax at `line`. With `rest`, the file minus `drop` lines must agree again
   * (except the `ours` overrides), so one rejected line does not hide the rest of a fixture. */
  | {
      kind: 'reject';
      line: number;
      why: string;
      rest?: { drop: number[]; ours?: Record<string, string> };
    }
  /** We parse, and these keys have our value instead of theirs (all other keys agree). */
  | { kind: 'differ'; ours: Record<string, string>; why: string };

// Every case where we do not give the other parser's answer, and why. Reasons cite DESIGN §7 or
// the decision recorded in docs/dotenv.md.
const DECISIONS: Record<string, Decision> = {
  // ---- npm dotenv (motdotla) ----
  'motdotla:tests/.env': {
    kind: 'reject',
    line: 8,
    why: 'backtick quotes: npm strips them, python/compose keep them; we refuse to guess (docs)',
    rest: {
      drop: [8, 18, 19, 20, 21, 22, 30, 35],
      // §7: inline comments need a blank before '#'; npm cuts at any '#'.
      ours: {
        INLINE_COMMENTS_SPACE: 'inline comments start with a#number sign. no space required.',
      },
    },
  },
  'motdotla:tests/.env.multiline': {
    kind: 'reject',
    line: 34,
    why: 'backtick-quoted multi-line value (see above)',
    rest: { drop: [34, 35, 36, 37, 38] },
  },

  // ---- python-dotenv parse_stream ----
  'python-stream#2': { kind: 'reject', line: 1, why: "quoted name 'a': names must be bare (§7)" },
  'python-stream#3': {
    kind: 'reject',
    line: 1,
    why: 'name "[" is not [A-Za-z_][A-Za-z0-9_]* (§7)',
  },
  'python-stream#6': { kind: 'reject', line: 1, why: "quoted name 'a' after export (§7)" },
  'python-stream#26': {
    kind: 'reject',
    line: 1,
    why: "single quotes are literal (§7): 'b\\' closes the value, then c' is stray text",
  },
  'python-stream#29': {
    kind: 'reject',
    line: 1,
    why: 'a line without "=" is an error, not a variable with no value (§7)',
  },
  'python-stream#42': { kind: 'reject', line: 1, why: 'name "uglyKey[%$" is invalid (§7)' },

  // ---- python-dotenv dotenv_values with interpolate=true: §7 never interpolates ----
  'python-interp#3': { kind: 'differ', ours: { a: '${b}' }, why: 'no interpolation (§7)' }, // a=${b}
  'python-interp#5': { kind: 'differ', ours: { a: '${b:-d}' }, why: 'no interpolation (§7)' },
  'python-interp#6': { kind: 'differ', ours: { a: '${b}' }, why: 'no interpolation (§7)' }, // b=c, a=${b}
  'python-interp#7': { kind: 'differ', ours: { a: '${b}' }, why: 'no interpolation (§7)' },
  'python-interp#8': { kind: 'differ', ours: { a: '${b:-d}' }, why: 'no interpolation (§7)' },
  'python-interp#9': { kind: 'differ', ours: { a: '${b}' }, why: 'no interpolation (§7)' }, // a="${b}"
  'python-interp#10': {
    kind: 'differ',
    ours: { a: '${b}' },
    why: 'single quotes are literal (§7)',
  },
  'python-interp#11': { kind: 'differ', ours: { a: 'x${b}y' }, why: 'no interpolation (§7)' },
  'python-interp#12': { kind: 'differ', ours: { a: '${a}' }, why: 'no interpolation (§7)' },
  'python-interp#13': { kind: 'differ', ours: { a: '${a}' }, why: 'no interpolation (§7)' },
  'python-interp#14': { kind: 'differ', ours: { a: '${a:-c}' }, why: 'no interpolation (§7)' },
  'python-interp#15': { kind: 'differ', ours: { a: '${a:-c}' }, why: 'no interpolation (§7)' },
  'python-interp#16': { kind: 'differ', ours: { a: '${b}${b}' }, why: 'no interpolation (§7)' },
  'python-interp#17': { kind: 'differ', ours: { a: '${b}' }, why: 'no interpolation (§7)' }, // b=d, a=${b}
  'python-interp#18': { kind: 'differ', ours: { d: '${a}' }, why: 'no interpolation (§7)' },
  'python-interp#19': { kind: 'differ', ours: { c: '${d}' }, why: 'no interpolation (§7)' },

  // ---- compose-go parse_and_compare ----
  'compose#8': { kind: 'reject', line: 1, why: 'YAML-style "KEY: value" has no "=" (§7)' },
  'compose#9': { kind: 'reject', line: 1, why: 'YAML-style: the name would be "OPTION_A: Foo"' },
  'compose#16': { kind: 'reject', line: 1, why: 'name "export.FOO" is invalid (§7)' },
  'compose#24': {
    kind: 'differ',
    // Only \n \r \t \\ \" are escapes (§7); \a \b \f \v and octal \0NNN stay as written (docs).
    ours: { KEY: 'Z\\aZ\\bZ\\fZ\nZ\rZ\tZ\\vZ\\Z\\0123Z' },
    why: 'other backslash pairs are kept literally',
  },
  'compose#25': { kind: 'reject', line: 1, why: 'name "FOO.BAR" is invalid (§7)' },
  'compose#39': {
    kind: 'differ',
    ours: { FOO: 'bar\n\\ b\\az' },
    why: '\\a is not an escape for us (kept literally)',
  },
  'compose#40': {
    kind: 'differ',
    ours: { FOO: 'bar\\\n\\ b\\az' },
    why: '\\a is not an escape for us (kept literally)',
  },
  'compose#41': {
    kind: 'differ',
    ours: { FOO: 'bar\\r\\ b\\az' },
    why: '\\a is not an escape for us (kept literally)',
  },
  'compose#43': { kind: 'reject', line: 1, why: 'empty name (§7)' },
  'compose#47': {
    kind: 'differ',
    ours: { KEY: '\\0123' },
    why: 'no octal escapes (kept literally)',
  },

  // ---- compose-go must_error ----
  'compose-error#7': {
    kind: 'differ',
    ours: { KEY: 'value\\' },
    why: "single quotes are literal (§7): 'value\\' is a complete value ending in a backslash",
  },

  // ---- compose-go fixtures (expected lists only the keys the Go test asserts) ----
  'compose-fixture:plain.env': {
    kind: 'reject',
    line: 6,
    why: 'name "456" is invalid (§7)',
    rest: { drop: [6] },
  },
  'compose-fixture:quoted.env': {
    kind: 'reject',
    line: 14,
    why: "single quotes are literal (§7): 'Let\\'s go!' has stray text after the quote",
    rest: { drop: [14] },
  },
  'compose-fixture:substitutions.env': {
    kind: 'differ',
    ours: {
      OPTION_B: '${OPTION_A}',
      OPTION_C: '$OPTION_B',
      OPTION_D: '${OPTION_A}_${OPTION_B}',
      OPTION_E: '${OPTION_NOT_DEFINED}',
    },
    why: 'no interpolation (§7)',
  },
  'compose-fixture:utf8-bom.env': {
    kind: 'reject',
    line: 6,
    why: 'name "456" is invalid (§7)',
    rest: { drop: [6] },
  },
};

function readVectors<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as T;
}

function loadCases(): Case[] {
  const cases: Case[] = [];

  const motdotla = readVectors<{
    cases: Array<{ name: string; input: string; expected: Record<string, string> }>;
  }>('dotenv-motdotla/parse_cases.json');
  for (const c of motdotla.cases) {
    cases.push({
      id: `motdotla:${c.name}`,
      input: c.input,
      expected: { kind: 'map', map: c.expected, partial: false },
    });
  }

  const stream = readVectors<
    Array<{
      test_input: string;
      expected: Array<{
        key: string | null;
        value: string | null;
        original: { line: number };
        error: boolean;
      }>;
    }>
  >('dotenv-python/parse_stream.json');
  stream.forEach((c, i) => {
    const firstError = c.expected.find((binding) => binding.error);
    cases.push({
      id: `python-stream#${i}`,
      input: c.test_input,
      expected:
        firstError !== undefined
          ? { kind: 'error', line: firstError.original.line }
          : {
              kind: 'list',
              pairs: c.expected
                .filter((binding) => binding.key !== null)
                .map((binding): [string, string | null] => [binding.key!, binding.value]),
            },
    });
  });

  const interpolation = readVectors<
    Array<{ string: string; interpolate: boolean; expected: Record<string, string> }>
  >('dotenv-python/dotenv_values_interpolation.json');
  interpolation.forEach((c, i) => {
    cases.push({
      id: `python-interp#${i}`,
      input: c.string,
      expected: { kind: 'map', map: c.expected, partial: false },
    });
  });

  const compose = readVectors<{
    parse_and_compare: Array<{ input: string; key: string; value: string }>;
    must_error: Array<{ input: string }>;
    fixtures: Array<{ fixture: string; input: string; expected: Record<string, string> }>;
  }>('dotenv-compose-go/parsing.json');
  compose.parse_and_compare.forEach((c, i) => {
    cases.push({
      id: `compose#${i}`,
      input: c.input,
      expected: { kind: 'map', map: { [c.key]: c.value }, partial: false },
    });
  });
  compose.must_error.forEach((c, i) => {
    cases.push({ id: `compose-error#${i}`, input: c.input, expected: { kind: 'error', line: 1 } });
  });
  for (const c of compose.fixtures) {
    cases.push({
      id: `compose-fixture:${c.fixture}`,
      input: c.input,
      expected: { kind: 'map', map: c.expected, partial: true },
    });
  }
  return cases;
}

/** Last duplicate wins, as every one of these parsers (and our import) does. */
function toMap(entries: ReadonlyArray<{ name: string; value: string }>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) map[entry.name] = entry.value;
  return map;
}

function expectedMap(expected: Expected): Record<string, string> {
  if (expected.kind === 'map') return { ...expected.map };
  if (expected.kind === 'error') return {};
  const map: Record<string, string> = {};
  for (const [key, value] of expected.pairs) if (value !== null) map[key] = value;
  return map;
}

/** Compares our entries with theirs (after our deliberate overrides). */
function expectAgreement(
  entries: ReadonlyArray<{ name: string; value: string }>,
  expected: Expected,
  ours: Record<string, string> = {},
): void {
  if (expected.kind === 'list' && Object.keys(ours).length === 0) {
    expect(entries.map((entry) => [entry.name, entry.value])).toEqual(expected.pairs);
    return;
  }
  const want = { ...expectedMap(expected), ...ours };
  const got = toMap(entries);
  if (expected.kind === 'map' && expected.partial) {
    const asserted = Object.fromEntries(Object.keys(want).map((key) => [key, got[key]]));
    expect(asserted).toEqual(want);
  } else {
    expect(got).toEqual(want);
  }
}

function expectRejectedAt(input: string, line: number): void {
  let thrown: unknown;
  try {
    parseDotenv(input, FILE);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(KagiError);
  expect((thrown as KagiError).code).toBe('dotenv-syntax');
  expect((thrown as KagiError).message.startsWith(`${FILE}:${line}: `)).toBe(true);
}

/** Keys that the dropped lines assign, read the simple way: only used for fixture bookkeeping. */
function keysOnLines(lines: string[]): string[] {
  return lines.flatMap((text) => {
    const match = /^\s*(?:export\s+)?([^=\s]+)\s*=/.exec(text);
    return match === null ? [] : [match[1]!];
  });
}

const CASES = loadCases();

describe('dotenv conformance vectors', () => {
  test('the vector files are all there', () => {
    // 8 npm + 45 python stream + 20 python interpolation + 51 + 9 + 7 compose-go.
    expect(CASES).toHaveLength(140);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  test('every decision names an existing case', () => {
    const ids = new Set(CASES.map((c) => c.id));
    expect(Object.keys(DECISIONS).filter((id) => !ids.has(id))).toEqual([]);
  });

  test.each(CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const decision = DECISIONS[c.id];
    if (decision === undefined) {
      if (c.expected.kind === 'error') {
        expectRejectedAt(c.input, c.expected.line);
      } else {
        expectAgreement(parseDotenv(c.input, FILE), c.expected);
      }
      return;
    }
    if (decision.kind === 'differ') {
      // A listed difference must really be one, or the table has gone stale.
      const theirs = expectedMap(c.expected);
      for (const [key, value] of Object.entries(decision.ours)) {
        if (c.expected.kind !== 'error') expect(theirs[key]).not.toBe(value);
      }
      expectAgreement(parseDotenv(c.input, FILE), c.expected, decision.ours);
      return;
    }
    expect(c.expected.kind).not.toBe('error');
    expectRejectedAt(c.input, decision.line);
    if (decision.rest !== undefined) {
      const { drop, ours = {} } = decision.rest;
      const lines = c.input.split('\n');
      const kept = lines.filter((_, index) => !drop.includes(index + 1)).join('\n');
      const dropped = keysOnLines(lines.filter((_, index) => drop.includes(index + 1)));
      const want = expectedMap(c.expected);
      for (const key of dropped) delete want[key];
      const partial = c.expected.kind === 'map' && c.expected.partial;
      expectAgreement(parseDotenv(kept, FILE), { kind: 'map', map: want, partial }, ours);
    }
  });
});
