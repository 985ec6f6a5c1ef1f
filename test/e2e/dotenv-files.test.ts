// `import`, `export` and `sync` end to end: what a .env file means (DESIGN §7), all-or-nothing
// imports, exports that need a terminal and read back to the same values, .env.example sync.

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: .env values hold a literal ${VAR}, never interpolated

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  kagi,
  kagiOk,
  kagiOnTerminal,
  makePerson,
  makeRepo,
  makeTempDir,
  must,
  type Person,
  readChildEnv,
} from './harness.js';
import { snapshotTree } from './tree.js';

afterAll(cleanup);

/** The names set in `scope` itself (not inherited), from the masked listing. */
function names(person: Person, cwd: string, scope: string): string[] {
  const r = kagiOk(person, cwd, ['get', '--json']);
  return (JSON.parse(r.stdout) as Array<{ scope: string; name: string; inherited_from: unknown }>)
    .filter((row) => row.scope === scope && row.inherited_from === null)
    .map((row) => row.name)
    .sort();
}

/** Every file and folder under .kagi/ with its bytes. */
function kagiFiles(repo: string): Record<string, string> {
  return snapshotTree(repo, { paths: ['.kagi'] });
}

describe('import', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--envs', '--nested', 'apps/api']));
  const dir = makeTempDir('kagi-dotenv-');
  const write = (name: string, text: string | Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads quotes, multi-line values, export, comments, and never interpolates', () => {
    const file = write(
      'full.env',
      [
        '# a comment line',
        '',
        'export EXPORTED=plain-value',
        'UNQUOTED=hello world # an inline comment',
        "SINGLE='literal $HOME \\n stays'",
        'DOUBLE="tab\\there \\"quoted\\" back\\\\slash"',
        'MULTI="line one',
        'line two"',
        'EMPTY=',
        'HASH_IN_QUOTES="a # not a comment"',
        'DOLLAR=$NOT_SET ${ALSO_NOT}',
        '   # indented comment',
        '',
      ].join('\n'),
    );
    const r = kagi(alice, repo, ['import', 'api', '--file', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('api/development: 8 new, 0 changed, 0 unchanged');
    expect(r.stdout).toBe('');
    const env = readChildEnv(alice, repo, ['api', '--']);
    expect(env).toMatchObject({
      EXPORTED: 'plain-value',
      UNQUOTED: 'hello world',
      SINGLE: 'literal $HOME \\n stays',
      DOUBLE: 'tab\there "quoted" back\\slash',
      MULTI: 'line one\nline two',
      EMPTY: '',
      HASH_IN_QUOTES: 'a # not a comment',
      DOLLAR: '$NOT_SET ${ALSO_NOT}',
    });
  });

  it('reads CRLF line ends and a leading BOM', () => {
    const file = write(
      'crlf.env',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('BOM_FIRST=one\r\nCRLF=two\r\n'),
      ]),
    );
    expect(kagi(alice, repo, ['import', 'api', 'test', '--file', file]).code).toBe(0);
    expect(readChildEnv(alice, repo, ['api', 'test', '--'])).toMatchObject({
      BOM_FIRST: 'one',
      CRLF: 'two',
    });
  });

  it('--dry-run reports what would change and changes nothing', () => {
    const before = kagiFiles(repo);
    const file = write('dry.env', 'EXPORTED=other-value\nBRAND_NEW=x\n');
    const r = kagi(alice, repo, ['import', 'api', '--file', file, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 new, 1 changed');
    expect(r.stderr).toMatch(/^ {2}\+ BRAND_NEW$/m);
    expect(r.stderr).toMatch(/^ {2}~ EXPORTED$/m);
    expect(r.stderr).not.toContain('other-value');
    expect(kagiFiles(repo)).toEqual(before);
  });

  it('stops at an invalid line with file:line, and imports nothing', () => {
    const before = kagiFiles(repo);
    const file = write('bad.env', 'GOOD_ONE=1\nGOOD_TWO=2\nBAD-NAME=3\nGOOD_THREE=4\n');
    const r = kagi(alice, repo, ['import', 'api', 'production', '--file', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*bad\.env:3: /m);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(kagiFiles(repo)).toEqual(before);
    expect(names(alice, repo, 'api/production')).toEqual([]);
  });

  it('rejects an unterminated quote with its line, and imports nothing', () => {
    const before = kagiFiles(repo);
    const file = write('quote.env', 'FIRST=1\nOPEN="never closed\nLAST=3\n');
    const r = kagi(alice, repo, ['import', 'api', 'production', '--file', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*quote\.env:2: /m);
    expect(r.stderr).not.toContain('never closed');
    expect(kagiFiles(repo)).toEqual(before);
  });

  it('rejects invalid UTF-8 and NUL bytes, and imports nothing', () => {
    const before = kagiFiles(repo);
    const utf8 = write('latin1.env', Buffer.from('OK=1\nLATIN=caf\xe9\n', 'latin1'));
    const r = kagi(alice, repo, ['import', 'api', 'production', '--file', utf8]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*latin1\.env:2: /m);
    const nul = write('nul.env', Buffer.from('OK=1\nNUL=a\0b\n'));
    const n = kagi(alice, repo, ['import', 'api', 'production', '--file', nul]);
    expect(n.code).not.toBe(0);
    expect(n.stderr).toMatch(/^error: .*nul\.env:2: /m);
    expect(kagiFiles(repo)).toEqual(before);
  });

  it('a missing file is an error naming it', () => {
    const r = kagi(alice, repo, ['import', 'api', '--file', path.join(dir, 'absent.env')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot read .*absent\.env/m);
  });

  it('conflicting values are refused without a terminal and without --force: nothing imported', () => {
    const before = kagiFiles(repo);
    const file = write('conflict.env', 'EXPORTED=changed-value\nADDED_WITH_CONFLICT=new\n');
    const r = kagi(alice, repo, ['import', 'api', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: 1 secret\(s\) in api\/development .*EXPORTED/m);
    expect(r.stderr).toMatch(/^hint: .*--force/m);
    expect(r.stderr).not.toContain('changed-value');
    expect(kagiFiles(repo)).toEqual(before);
    expect(names(alice, repo, 'api/development')).not.toContain('ADDED_WITH_CONFLICT');
  });

  it('--force overwrites the conflicting values and adds the new ones', () => {
    const file = path.join(dir, 'conflict.env');
    const r = kagi(alice, repo, ['import', 'api', '--file', file, '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 new, 1 changed');
    expect(readChildEnv(alice, repo, ['api', '--'])).toMatchObject({
      EXPORTED: 'changed-value',
      ADDED_WITH_CONFLICT: 'new',
      UNQUOTED: 'hello world',
    });
  });

  it('importing the same file again changes nothing', () => {
    const before = kagiFiles(repo);
    const r = kagi(alice, repo, ['import', 'api', '--file', path.join(dir, 'conflict.env')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('0 new, 0 changed, 2 unchanged');
    expect(kagiFiles(repo)).toEqual(before);
  });
});

describe('export', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--envs', '--nested', 'apps/api']));
  const tricky = [
    'plain',
    '',
    'two\nlines',
    'ends with newline\n',
    'carriage\rreturn',
    `both "double" and 'single' quotes`,
    "it's",
    '"fully double quoted"',
    '$HOME and ${HOME} and $(whoami) and `id`',
    'before # after',
    '#starts-with-hash',
    'back\\slash \\n not a newline \\\\ two',
    'tab\there',
    'unicode: héllo 日本語 🎉 \u200b zero-width',
    '  leading and trailing spaces  ',
    ' ',
    '=equals=in=value',
    'export NOT_A_KEY=1',
    "'",
    '"',
    '\\',
  ];
  const random = fc.sample(
    fc
      .string({ unit: 'binary', maxLength: 24 })
      .filter((v) => !v.includes('\0') && !v.endsWith('\r')),
    { seed: 20240601, numRuns: 8 },
  );
  const values = [...tricky, ...random];
  const expected: Record<string, string> = {};
  values.forEach((value, i) => {
    const name = `VALUE_${i}`;
    expected[name] = value;
    // One trailing newline is stripped from stdin, so every value gets exactly one.
    must(kagi(alice, repo, ['set', 'api', name], `${value}\n`));
  });
  must(kagi(alice, repo, ['set', 'api', 'production', 'PROD_ONLY', 'prod-value']));
  must(kagi(alice, repo, ['set', 'development', 'PROJECT_WIDE', 'not-exported-with-api']));
  const out = path.join(repo, 'exports');

  it('stored every planted value exactly', () => {
    expect(readChildEnv(alice, repo, ['api', '--'])).toMatchObject(expected);
  });

  it('refuses without a terminal and writes nothing', () => {
    const r = kagi(alice, repo, ['export', 'api', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*terminal/m);
    expect(r.stdout).toBe('');
    expect(() => readdirSync(out)).toThrow();
  });

  it('after `y` writes one .env.<env> per env, mode 0600, which import reads back identically', () => {
    const r = kagiOnTerminal(alice, repo, ['export', 'api', '--out', out], ['y\r']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('warning');
    expect(readdirSync(out).sort()).toEqual(['.env.development', '.env.production', '.env.test']);
    for (const file of readdirSync(out))
      expect(statSync(path.join(out, file)).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(out, '.env.development'), 'utf8')).not.toContain('PROJECT_WIDE');
    expect(readFileSync(path.join(out, '.env.production'), 'utf8')).toContain('PROD_ONLY=');

    const back = kagi(alice, repo, [
      'import',
      'copy',
      'development',
      '--file',
      path.join(out, '.env.development'),
    ]);
    expect(back.code).toBe(0);
    const copied = readChildEnv(alice, repo, ['copy', '--']);
    for (const [name, value] of Object.entries(expected)) {
      expect(JSON.stringify(copied[name]), name).toBe(JSON.stringify(value));
    }
    const prod = kagi(alice, repo, [
      'import',
      'copy',
      'production',
      '--file',
      path.join(out, '.env.production'),
    ]);
    expect(prod.code).toBe(0);
    expect(readChildEnv(alice, repo, ['copy', 'production', '--']).PROD_ONLY).toBe('prod-value');
  });

  it('never overwrites an existing file without --force', () => {
    const file = path.join(out, '.env.development');
    const before = readFileSync(file, 'utf8');
    const r = kagi(alice, repo, ['export', 'api', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*\.env\.development already exists/m);
    expect(r.stderr).toMatch(/^hint: .*--force/m);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--force overwrites after `y`, and warns when git would not ignore the file', () => {
    writeFileSync(path.join(out, '.gitignore'), '!.env.*\n');
    kagi(alice, repo, ['set', 'api', 'VALUE_0', 'plain-changed']);
    const r = kagiOnTerminal(
      alice,
      repo,
      ['export', 'api', 'development', '--out', out, '--force'],
      ['y\r'],
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: git does not ignore .*\.env\.development/);
    expect(readFileSync(path.join(out, '.env.development'), 'utf8')).toContain('plain-changed');
    expect(statSync(path.join(out, '.env.development')).mode & 0o777).toBe(0o600);
  });
});

describe('sync', () => {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--envs', '--nested', 'apps/api']));
  const apiDir = path.join(repo, 'apps', 'api');
  mkdirSync(apiDir, { recursive: true });
  writeFileSync(
    path.join(apiDir, '.env.example'),
    [
      '# Database',
      'DATABASE_URL=postgres://localhost/dev',
      '# API_TOKEN=',
      '#DEBUG=true',
      'PORT=3000',
      '',
    ].join('\n'),
  );
  must(kagi(alice, repo, ['set', 'api', 'PORT', '8080']));
  const first = must(kagi(alice, repo, ['sync', '--service', 'api']));

  it('adds every key, commented ones included, to every env of the service', () => {
    expect(first.code).toBe(0);
    for (const env of ['development', 'test', 'production']) {
      expect(names(alice, repo, `api/${env}`)).toEqual([
        'API_TOKEN',
        'DATABASE_URL',
        'DEBUG',
        'PORT',
      ]);
    }
    expect(first.stderr).toMatch(/^api\/development: 3 added .*1 already set$/m);
    expect(first.stderr).toMatch(/^api\/test: 4 added/m);
  });

  it('uses the example value, empty for commented lines, and never overwrites', () => {
    expect(readChildEnv(alice, repo, ['api', '--'])).toMatchObject({
      PORT: '8080',
      DATABASE_URL: 'postgres://localhost/dev',
      API_TOKEN: '',
      DEBUG: '',
    });
    expect(readChildEnv(alice, repo, ['api', 'production', '--']).PORT).toBe('3000');
  });

  it('a second sync adds nothing and changes no byte', () => {
    const before = kagiFiles(repo);
    kagi(alice, repo, ['set', 'api', 'test', 'DATABASE_URL', 'test-db']);
    const changed = kagiFiles(repo);
    expect(changed).not.toEqual(before);
    const r = kagi(alice, repo, ['sync', '--service', 'api']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^api\/test: 0 added, 4 already set$/m);
    expect(kagiFiles(repo)).toEqual(changed);
    expect(readChildEnv(alice, repo, ['api', 'test', '--']).DATABASE_URL).toBe('test-db');
  });

  it('works from inside the service folder without --service', () => {
    writeFileSync(path.join(apiDir, '.env.example'), 'LATER_ADDED=\n');
    const r = kagi(alice, apiDir, ['sync']);
    expect(r.code).toBe(0);
    expect(names(alice, repo, 'api/production')).toContain('LATER_ADDED');
  });

  it('needs a service (exit 2) and an .env.example (exit 1)', () => {
    const none = kagi(alice, repo, ['sync']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: sync needs a service/m);
    const missing = kagi(alice, repo, ['sync', '--service', 'web']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no \.env\.example at /m);
  });
});
