// Unit and property tests of src/core/dotenv.ts: what a .env file means (DESIGN §7 and
// docs/dotenv.md), where errors point, that they never echo values, and that export round-trips.

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: .env values hold a literal ${VAR}, never interpolated

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseDotenv, parseExampleNames, serializeDotenv } from '../../../src/core/dotenv.js';
import { EXIT, KagiError } from '../../../src/errors.js';

const CANARY = 'Kq7!zX9%wP3~Jv5^';
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function parseValues(input: string | Uint8Array): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of parseDotenv(input, '.env')) map[entry.name] = entry.value;
  return map;
}

function readOneValue(input: string): string | undefined {
  const entries = parseDotenv(input, '.env');
  expect(entries).toHaveLength(1);
  return entries[0]?.value;
}

/** Runs parseDotenv expecting a KagiError and returns it. */
function parseError(input: string | Uint8Array, file = '.env'): KagiError {
  try {
    parseDotenv(input, file);
  } catch (error) {
    expect(error).toBeInstanceOf(KagiError);
    return error as KagiError;
  }
  throw new Error('expected parseDotenv to throw');
}

function bytes(...parts: Array<string | number[]>): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === 'string' ? new TextEncoder().encode(part) : Uint8Array.from(part),
  );
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Every substring of the canary that is long enough to be recognisable. */
function expectNoCanary(text: string | undefined): void {
  for (let i = 0; i + 4 <= CANARY.length; i++) {
    expect(text ?? '').not.toContain(CANARY.slice(i, i + 4));
  }
}

describe('parseDotenv: accepted forms', () => {
  test('KEY=value, export, blank lines and comments, with 1-based start lines', () => {
    const input = '# header\n\nA=1\n  export B=2\n\t# indented comment\nC = 3\n   \n';
    expect(parseDotenv(input, '.env')).toEqual([
      { name: 'A', value: '1', line: 3 },
      { name: 'B', value: '2', line: 4 },
      { name: 'C', value: '3', line: 6 },
    ]);
  });

  test('empty input and a file of comments give no entries', () => {
    expect(parseDotenv('', '.env')).toEqual([]);
    expect(parseDotenv(new Uint8Array(), '.env')).toEqual([]);
    expect(parseDotenv('# only\n\n#', '.env')).toEqual([]);
  });

  test('export is a prefix only when followed by a blank and a name', () => {
    expect(parseValues('export=1')).toEqual({ export: '1' });
    expect(parseValues('export =1')).toEqual({ export: '1' });
    expect(parseValues('exportFOO=1')).toEqual({ exportFOO: '1' });
    expect(parseValues('export\t  FOO=1')).toEqual({ FOO: '1' });
    expect(parseValues('export export=1')).toEqual({ export: '1' });
  });

  test('unquoted values: trimmed, literal backslashes and quotes, first = splits', () => {
    expect(readOneValue('A=   spaced out   \t')).toBe('spaced out');
    expect(readOneValue('A=a\\nb')).toBe('a\\nb');
    expect(readOneValue('A={"k": "v"}')).toBe('{"k": "v"}');
    expect(readOneValue("A=it's")).toBe("it's");
    expect(readOneValue('A=b==')).toBe('b==');
    expect(readOneValue('A=')).toBe('');
    expect(readOneValue('A=   ')).toBe('');
    // Only space and tab are blanks: a no-break space is part of the value.
    expect(readOneValue('A=b\u00a0')).toBe('b\u00a0');
  });

  test('inline comments need a blank before #', () => {
    expect(readOneValue('A=b#c')).toBe('b#c');
    expect(readOneValue('A=b #c')).toBe('b');
    expect(readOneValue('A=b\t# c # d')).toBe('b');
    expect(readOneValue('A=#c')).toBe('#c');
    expect(readOneValue('A= # just a comment')).toBe('');
    expect(readOneValue('A=http://x/#frag')).toBe('http://x/#frag');
  });

  test('single quotes are literal, with no escapes', () => {
    expect(readOneValue('A=\'  a\\nb \\\\ $B ${C} # d "e" \'')).toBe(
      '  a\\nb \\\\ $B ${C} # d "e" ',
    );
    expect(readOneValue("A='x\\'")).toBe('x\\');
    expect(readOneValue("A=''")).toBe('');
  });

  test('double quotes decode \\n \\r \\t \\\\ \\" and keep other backslash pairs', () => {
    expect(readOneValue('A="a\\nb\\rc\\td\\\\e\\"f"')).toBe('a\nb\rc\td\\e"f');
    expect(readOneValue('A="C:\\Users\\x\\a\\b\\f\\v\\0\\x41\\u00e9\\$HOME\\\'"')).toBe(
      "C:\\Users\\x\\a\\b\\f\\v\\0\\x41\\u00e9\\$HOME\\'",
    );
    expect(readOneValue('A="\\\\n"')).toBe('\\n');
    expect(readOneValue('A="a\\\nb"')).toBe('a\\\nb');
    expect(readOneValue('A=""')).toBe('');
  });

  test('never interpolates', () => {
    expect(parseValues('B=x\nA=$B ${B} ${B:-d}\nC="${B}"\nD=\'$B\'')).toEqual({
      B: 'x',
      A: '$B ${B} ${B:-d}',
      C: '${B}',
      D: '$B',
    });
  });

  test('quoted values span lines; later entries keep their real line numbers', () => {
    const input = 'A=\'one\ntwo\'\nB="x\ny\nz" # c\n\nC=3';
    expect(parseDotenv(input, '.env')).toEqual([
      { name: 'A', value: 'one\ntwo', line: 1 },
      { name: 'B', value: 'x\ny\nz', line: 3 },
      { name: 'C', value: '3', line: 7 },
    ]);
  });

  test('a quoted value hides what looks like assignments and comments inside it', () => {
    expect(parseValues("A='\n# B=1\nC=2\n'\nD=4")).toEqual({ A: '\n# B=1\nC=2\n', D: '4' });
  });

  test('after a closing quote only blanks and a comment may follow', () => {
    expect(readOneValue('A="b"   ')).toBe('b');
    expect(readOneValue("A='b' # c")).toBe('b');
    expect(readOneValue('A="b#c"#d')).toBe('b#c');
  });

  test('CRLF and lone CR end lines, also inside quoted values', () => {
    expect(parseDotenv('A=1\r\nB="x\r\ny"\r\nC=3\rD=4\r', '.env')).toEqual([
      { name: 'A', value: '1', line: 1 },
      { name: 'B', value: 'x\ny', line: 2 },
      { name: 'C', value: '3', line: 4 },
      { name: 'D', value: '4', line: 5 },
    ]);
    expect(readOneValue('A="x\\r\\ny"\r\n')).toBe('x\r\ny');
  });

  test('a leading BOM is skipped, in bytes and in strings; a second one is not', () => {
    expect(parseValues(bytes([0xef, 0xbb, 0xbf], 'A=1\n'))).toEqual({ A: '1' });
    expect(parseValues('\uFEFFA=1')).toEqual({ A: '1' });
    expect(parseError('\uFEFF\uFEFFA=1').message).toBe('.env:1: invalid variable name');
  });

  test('bytes and strings parse the same, including any unicode', () => {
    const text = 'A=é 😀\nB="日本\\n語"\n';
    expect(parseDotenv(new TextEncoder().encode(text), '.env')).toEqual(parseDotenv(text, '.env'));
    expect(parseValues(text)).toEqual({ A: 'é 😀', B: '日本\n語' });
  });

  test('duplicates are all returned, in file order', () => {
    expect(parseDotenv('A=1\nA=2', '.env')).toEqual([
      { name: 'A', value: '1', line: 1 },
      { name: 'A', value: '2', line: 2 },
    ]);
  });
});

describe('parseDotenv: rejections', () => {
  test('errors are KagiError dotenv-syntax, exit 1, message file:line: problem', () => {
    const error = parseError('A=1\nnot an assignment\n', 'config/.env.local');
    expect(error.code).toBe('dotenv-syntax');
    expect(error.exitCode).toBe(EXIT.failure);
    expect(error.message).toBe(
      'config/.env.local:2: expected NAME=value, a # comment or a blank line',
    );
    expect(error.hint).toMatch(/NAME=value/);
  });

  test.each([
    ['FOO-BAR=1', 'FOO_BAR'],
    ['1KEY=1', '_1KEY'],
    ['foo.bar=1', 'foo_bar'],
    ['export.FOO= 2', 'export_FOO'],
    ['456 = ABC', '_456'],
  ])('invalid name %s: the hint suggests %s', (input, fixed) => {
    const error = parseError(`A=1\n${input}`);
    expect(error.message).toBe('.env:2: invalid variable name');
    expect(error.hint).toMatch(new RegExp(`rename it to ${fixed}$`));
  });

  test('quoted and empty names get their own hints', () => {
    expect(parseError("'a'=b").hint).toBe('remove the quotes around the name: a=…');
    expect(parseError('="value"').message).toBe('.env:1: missing variable name');
  });

  test('names that do not look like names are never echoed', () => {
    for (const input of [
      'postgres://app:s3cr3tPass@db/prod?sslmode=disable',
      'abc+def/ghi==',
      'MY KEY=value',
      'uglyKey[%$="x"',
      `${'A'.repeat(65)}-B=1`,
    ]) {
      const error = parseError(input);
      expect(error.message).toBe('.env:1: invalid variable name');
      expect(error.hint).toBe(
        'names are ASCII letters, digits and _, and do not start with a digit',
      );
    }
  });

  test('lines without = are rejected, not taken as empty variables', () => {
    expect(parseError('A=1\n\nNO_VALUE').message).toBe(
      '.env:3: expected NAME=value, a # comment or a blank line',
    );
    expect(parseError('export FOO').message).toMatch(/^\.env:1: expected NAME=value/);
    expect(parseError('OPTION_A: 1').hint).toBe(
      'write OPTION_A=value: the "KEY: value" form is not supported',
    );
    expect(parseError('user:password').hint).not.toContain('user');
  });

  test('unterminated quotes point at the line where the value starts', () => {
    expect(parseError("A=1\nB='abc\nC=2\n").message).toBe(
      '.env:2: unterminated single-quoted value of B',
    );
    expect(parseError('A=1\n\nB="abc\\"\nC=2').message).toBe(
      '.env:3: unterminated double-quoted value of B',
    );
    expect(parseError('B="abc\\').message).toBe('.env:1: unterminated double-quoted value of B');
    expect(parseError('B="').message).toBe('.env:1: unterminated double-quoted value of B');
  });

  test('text after a closing quote is rejected on the line of that quote', () => {
    expect(parseError("A='Let\\'s go!'").message).toBe(
      '.env:1: unexpected text after the closing quote of A',
    );
    expect(parseError('X=1\nA="two\nlines"x').message).toBe(
      '.env:3: unexpected text after the closing quote of A',
    );
  });

  test('backtick-quoted values are rejected because parsers disagree on them', () => {
    const error = parseError('A=`x`');
    expect(error.message).toBe('.env:1: backtick-quoted value of A is not supported');
    expect(error.hint).toMatch(/single quotes/);
    expect(readOneValue('A=x`y`')).toBe('x`y`');
  });

  test('NUL bytes are rejected anywhere, with their line', () => {
    expect(parseError('A=1\nB=x\0y').message).toBe('.env:2: NUL byte');
    expect(parseError('A=1\n\n# \0 in a comment').message).toBe('.env:3: NUL byte');
    expect(parseError(bytes('A="1\n2', [0], '"')).message).toBe('.env:2: NUL byte');
  });

  test.each([
    ['lone continuation byte', bytes('A=1\nB=', [0x80])],
    ['truncated sequence at the end', bytes('A=1\nB=', [0xe2, 0x82])],
    ['truncated sequence before a newline', bytes('A=1\nB=', [0xe2, 0x82], '\nC=3')],
    ['overlong encoding', bytes('A=1\r\nB=', [0xc0, 0xaf])],
    ['encoded surrogate', bytes('A=1\rB=', [0xed, 0xa0, 0x80])],
    ['code point above U+10FFFF', bytes('A=1\nB=', [0xf4, 0x90, 0x80, 0x80])],
    ['Latin-1 text', bytes('A=1\n# caf', [0xe9], '\n')],
  ])('invalid UTF-8 (%s) is rejected at its line', (_name, input) => {
    const error = parseError(input);
    expect(error.message).toBe('.env:2: not valid UTF-8');
    expect(error.code).toBe('dotenv-syntax');
  });

  test('unpaired surrogates in a string input are rejected', () => {
    expect(parseError('A=1\nB=\uD800x').message).toBe(
      '.env:2: not valid Unicode text (unpaired surrogate)',
    );
  });

  test('the first invalid line wins, whatever the kind of problem', () => {
    expect(parseError(bytes('A=1\nbad line\nB=', [0xff])).message).toBe(
      '.env:2: expected NAME=value, a # comment or a blank line',
    );
    expect(parseError(bytes('B=', [0xff], '\nbad line\n')).message).toBe('.env:1: not valid UTF-8');
    expect(parseError('A=1\nB=\0\n1X=2').message).toBe('.env:2: NUL byte');
    expect(parseError('A=1\n1X=2\nB=\0').message).toBe('.env:2: invalid variable name');
  });
});

describe('parseDotenv: errors never echo values', () => {
  // One file per kind of error, each with the canary on the offending line.
  const files: Array<[string, string | Uint8Array]> = [
    ['no equals sign', `A=1\n${CANARY}\n`],
    ['invalid name', `${CANARY}=1`],
    ['invalid name before a value', `MY-KEY ${CANARY}=1`],
    ['yaml form', `A: ${CANARY}`],
    ['unterminated single quote', `A='${CANARY}`],
    ['unterminated double quote', `A="${CANARY}\\"`],
    ['text after quote', `A="x"${CANARY}`],
    ['text after quote, single', `A='x'${CANARY}'`],
    ['backtick', `A=\`${CANARY}\``],
    ['NUL', `A=${CANARY}\0${CANARY}`],
    ['lone surrogate', `A=${CANARY}\uDC00`],
    ['invalid UTF-8', bytes(`A=${CANARY}`, [0xff], CANARY)],
  ];
  test.each(files)('%s', (_name, input) => {
    const error = parseError(input);
    expectNoCanary(error.message);
    expectNoCanary(error.hint);
    expectNoCanary(error.stack);
    expect(error.cause).toBeUndefined();
  });
});

describe('parseDotenv: properties', () => {
  // Tokens that reach every branch of the scanner, including the canary and invalid bytes.
  const token = fc.constantFrom<Array<string | number[]>>(
    ['A'],
    ['_b9'],
    ['='],
    [' '],
    ['\t'],
    ['\n'],
    ['\r'],
    ['\r\n'],
    ['#'],
    ["'"],
    ['"'],
    ['`'],
    ['\\'],
    ['export '],
    ['$'],
    [':'],
    ['-'],
    ['é'],
    [CANARY],
    [[0]],
    [[0xff]],
    [[0xc3]],
    [[0xe2, 0x82]],
    [[0xef, 0xbb, 0xbf]],
  );
  const file = fc.oneof(
    fc.array(token, { maxLength: 40 }).map((parts) => bytes(...parts.flat())),
    fc.uint8Array({ maxLength: 200 }),
  );

  test('on any bytes it returns entries or throws a KagiError that echoes no value', () => {
    fc.assert(
      fc.property(file, (input) => {
        try {
          const entries = parseDotenv(input, '.env');
          for (const entry of entries) expect(entry.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(KagiError);
          const kagi = error as KagiError;
          expect(kagi.code).toBe('dotenv-syntax');
          expect(kagi.message).toMatch(/^\.env:[1-9][0-9]*: /);
          expectNoCanary(kagi.message);
          expectNoCanary(kagi.hint);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('a string and its UTF-8 bytes give the same result', () => {
    fc.assert(
      fc.property(
        fc
          .array(token, { maxLength: 30 })
          .map((parts) =>
            parts
              .flatMap((part) => part.filter((p): p is string => typeof p === 'string'))
              .join(''),
          ),
        (text) => {
          const outcome = (input: string | Uint8Array) => {
            try {
              return parseDotenv(input, '.env');
            } catch (error) {
              return (error as KagiError).message;
            }
          };
          expect(outcome(new TextEncoder().encode(text))).toEqual(outcome(text));
        },
      ),
    );
  });
});

describe('serializeDotenv', () => {
  test('bare when safe, single quotes when they carry the value everywhere, else double', () => {
    expect(
      serializeDotenv([
        { name: 'EMPTY', value: '' },
        { name: 'URL', value: 'https://user@host:5432/db,x+y=z' },
        { name: 'SPACE', value: ' a b ' },
        { name: 'DOLLAR', value: '$HOME ${X}' },
        { name: 'HASH', value: '#x' },
        { name: 'PEM', value: '-----BEGIN-----\nabc\n-----END-----\n' },
        { name: 'WIN', value: 'C:\\Users\\x' },
        { name: 'QUOTE', value: 'a"b`c' },
        { name: 'APOS', value: "it's" },
        { name: 'CR', value: 'a\r\nb' },
        { name: 'BACKSLASHES', value: 'a\\\\b' },
        { name: 'TRAILING', value: 'a\\' },
        { name: 'MIXED', value: 'it\'s "x"\n\ttab\\' },
      ]),
    ).toBe(
      [
        'EMPTY=',
        'URL=https://user@host:5432/db,x+y=z',
        "SPACE=' a b '",
        "DOLLAR='$HOME ${X}'",
        "HASH='#x'",
        "PEM='-----BEGIN-----\nabc\n-----END-----\n'",
        "WIN='C:\\Users\\x'",
        "QUOTE='a\"b`c'",
        'APOS="it\'s"',
        'CR="a\\r\\nb"',
        'BACKSLASHES="a\\\\\\\\b"',
        'TRAILING="a\\\\"',
        'MIXED="it\'s \\"x\\"\\n\ttab\\\\"',
        '',
      ].join('\n'),
    );
  });

  test('no entries give an empty file; otherwise the output ends with a newline', () => {
    expect(serializeDotenv([])).toBe('');
    expect(serializeDotenv([{ name: 'A', value: 'b' }])).toBe('A=b\n');
  });

  test('a NUL in a value is a dotenv-value error naming the key, not the value', () => {
    let thrown: unknown;
    try {
      serializeDotenv([{ name: 'TOKEN', value: `${CANARY}\0` }]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KagiError);
    expect((thrown as KagiError).code).toBe('dotenv-value');
    expect((thrown as KagiError).message).toBe('the value of TOKEN contains a NUL byte');
    expectNoCanary((thrown as KagiError).hint);
  });

  test('unpaired surrogates and invalid names are refused', () => {
    expect(() => serializeDotenv([{ name: 'A', value: 'x\uD800' }])).toThrow(
      'the value of A is not valid Unicode text',
    );
    expect(() => serializeDotenv([{ name: 'A-B', value: 'x' }])).toThrow(
      'entry 1 has an invalid variable name',
    );
  });

  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
  const wellFormed = (value: string) => !value.includes('\0') && !LONE_SURROGATE.test(value);
  const value = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    // The characters that decide the quoting, densely.
    fc.string({
      unit: fc.constantFrom("'", '"', '\\', '\n', '\r', '\t', ' ', '#', '$', '`', '=', 'a', '😀'),
    }),
  );
  const entries = fc.array(fc.record({ name, value: value.filter(wellFormed) }), { maxLength: 8 });

  test('parseDotenv reads back exactly what serializeDotenv wrote', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const text = serializeDotenv(list);
        const parsed = parseDotenv(text, '.env');
        expect(parsed.map(({ name, value }) => ({ name, value }))).toEqual(list);
        // Each entry starts on the line that holds its name.
        const lines = text.split('\n');
        for (const entry of parsed)
          expect(lines[entry.line - 1]?.startsWith(`${entry.name}=`)).toBe(true);
        // And through bytes, with CRLF line ends as a Windows checkout would make them.
        const crlf = new TextEncoder().encode(text.replace(/\n/g, '\r\n'));
        expect(parseDotenv(crlf, '.env').map((e) => e.value)).toEqual(list.map((e) => e.value));
      }),
      { numRuns: 2000 },
    );
  });

  test('single-quoted output avoids what other parsers would read differently', () => {
    fc.assert(
      fc.property(value.filter(wellFormed), (v) => {
        const line = serializeDotenv([{ name: 'A', value: v }]);
        if (line.startsWith("A='")) {
          const inner = line.slice(3, -2);
          expect(inner).not.toMatch(/'|\r|\\\\|\\$/);
        }
        if (!line.startsWith("A='") && !line.startsWith('A="')) {
          expect(line).toMatch(/^A=[A-Za-z0-9_./:@+,=-]*\n$/);
        }
      }),
    );
  });
});

describe('parseExampleNames', () => {
  test('assignments and commented assignments, in order, first wins', () => {
    const input = [
      '# Database',
      'DATABASE_URL=postgres://localhost/dev',
      '# API_KEY=your-key-here',
      '#DEBUG=',
      '  # export REGION=eu',
      '## See https://example.com/?a=b for details',
      '# Note: set PORT=3000 to override',
      'export PORT=3000 # default',
      'API_KEY=real',
      'not an assignment',
      '1BAD=x',
      'QUOTED="a b"',
      '',
    ].join('\n');
    expect(parseExampleNames(input, '.env.example')).toEqual([
      { name: 'DATABASE_URL', value: 'postgres://localhost/dev', commented: false },
      { name: 'API_KEY', value: '', commented: true },
      { name: 'DEBUG', value: '', commented: true },
      { name: 'REGION', value: '', commented: true },
      { name: 'PORT', value: '3000', commented: false },
      { name: 'QUOTED', value: 'a b', commented: false },
    ]);
  });

  test('lines inside a multi-line value are not names; bad values become empty', () => {
    const input = "CERT='line\n# FAKE=1\nOTHER=2'\nBROKEN=\"open\nNEXT=`x`\nLAST=1";
    expect(parseExampleNames(input, '.env.example')).toEqual([
      { name: 'CERT', value: 'line\n# FAKE=1\nOTHER=2', commented: false },
      { name: 'BROKEN', value: '', commented: false },
      { name: 'NEXT', value: '', commented: false },
      { name: 'LAST', value: '1', commented: false },
    ]);
  });

  test('BOM, CRLF and invalid bytes are tolerated', () => {
    const input = bytes([0xef, 0xbb, 0xbf], 'A=1\r\n# B=\r\nC=caf', [0xe9], '\r\n');
    expect(parseExampleNames(input, '.env.example')).toEqual([
      { name: 'A', value: '1', commented: false },
      { name: 'B', value: '', commented: true },
      { name: 'C', value: 'caf\uFFFD', commented: false },
    ]);
  });

  test('never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string()), (input) => {
        for (const found of parseExampleNames(input, '.env.example')) {
          expect(found.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
        }
      }),
    );
  });
});
