// The tamper matrix through the built binary: every way of damaging or moving a
// store line ends in the integrity error (exit 4), prints no planted value and changes no file.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  copyToTemp,
  git,
  kagi,
  kagiOk,
  makePerson,
  makeRepo,
  type Person,
  readStoreRows,
  type StoreRows,
  writeStoreRows,
} from './harness.js';
import { snapshotTree } from './tree.js';

const PLANTED = {
  API_KEY: 'planted-api-key-Kq7zX9wP3Jv5',
  API_SECRET: 'planted-api-secret-Wm4tR8yB2',
  PROD_KEY: 'planted-prod-key-Hs6nC1vL0',
  SHARED: 'planted-shared-Qz5eD3kF7',
  OTHER_KEY: 'planted-other-project-Xa9gT4',
};

const API_DEV = '.kagi/secrets/api/development.enc';
const API_PROD = '.kagi/secrets/api/production.enc';
const DEV = '.kagi/secrets/development.enc';

let alice: Person;
let base: string;
let other: string;

/** A fresh copy of the committed project, so every case starts from a good state. */
function freshCopy(): string {
  return copyToTemp(base, 'kagi-tamper-');
}

/** Writes a well-formed store: the header, then the lines sorted by tag. */
function writeStore(dir: string, file: string, store: StoreRows): void {
  const lines = [...store.lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  writeStoreRows(dir, file, { header: store.header, lines });
}

function fields(line: string): [string, string, string] {
  const [tag, epoch, payload] = line.split(' ');
  return [tag as string, epoch as string, payload as string];
}

/** Flips one bit of byte `at` of a base64url field (negative: from the end). */
function flipByte(field: string, at: number): string {
  const bytes = Buffer.from(field, 'base64url');
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = (bytes[i] as number) ^ 0x01;
  return bytes.toString('base64url');
}

function editLine(dir: string, file: string, index: number, edit: (line: string) => string): void {
  const store = readStoreRows(dir, file);
  store.lines[index] = edit(store.lines[index] as string);
  writeStore(dir, file, store);
}

/** Every file of the working tree and of .git/kagi (rotation journal, lock), with its bytes. */
function snapshot(dir: string): Record<string, string> {
  return snapshotTree(dir, { paths: ['.', '.git/kagi'], skip: ['.git'] });
}

function expectNoPlantedValue(text: string): void {
  for (const value of Object.values(PLANTED)) expect(text).not.toContain(value);
}

/** `get` (masked listing) and `run api` must both stop with exit 4, say error:, leak nothing. */
function expectIntegrityFailure(dir: string): { get: string; run: string } {
  const before = snapshot(dir);
  const statusBefore = git(alice, dir, ['status', '--porcelain']).stdout;
  const get = kagi(alice, dir, ['get']);
  // `env` rather than `true`: had the child run, its output would show any injected value.
  const run = kagi(alice, dir, ['run', 'api', '--', 'env']);
  for (const [what, result] of [
    ['get', get],
    ['run', run],
  ] as const) {
    expectNoPlantedValue(result.stdout + result.stderr);
    expect(result.stderr, `${what} stderr`).toMatch(/^error: /m);
    expect(result.code, `${what} exit code; stderr: ${result.stderr}`).toBe(4);
  }
  expect(snapshot(dir)).toEqual(before);
  expect(git(alice, dir, ['status', '--porcelain']).stdout).toBe(statusBefore);
  return { get: get.stderr, run: run.stderr };
}

beforeAll(() => {
  alice = makePerson('alice');
  base = makeRepo(alice);
  kagiOk(alice, base, ['init', '--name', 'alice', '--envs']);
  kagiOk(alice, base, ['set', 'api', 'API_KEY', PLANTED.API_KEY]);
  kagiOk(alice, base, ['set', 'api', 'API_SECRET'], PLANTED.API_SECRET);
  kagiOk(alice, base, ['set', 'api', 'production', 'PROD_KEY', PLANTED.PROD_KEY]);
  kagiOk(alice, base, ['set', 'development', 'SHARED', PLANTED.SHARED]);
  git(alice, base, ['add', '.']);
  git(alice, base, ['commit', '-q', '-m', 'secrets']);

  other = makeRepo(alice);
  kagiOk(alice, other, ['init', '--name', 'alice', '--envs']);
  kagiOk(alice, other, ['set', 'api', 'OTHER_KEY', PLANTED.OTHER_KEY]);
});

afterAll(() => cleanup());

describe('the untouched project (control)', () => {
  it('lists masked and runs with the secrets', () => {
    const dir = freshCopy();
    expect(readStoreRows(dir, API_DEV).lines).toHaveLength(2);
    expect(readStoreRows(dir, DEV).lines).toHaveLength(1);
    const get = kagi(alice, dir, ['get']);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain('API_KEY');
    expectNoPlantedValue(get.stdout + get.stderr);
    const run = kagi(alice, dir, ['run', 'api', '--', 'sh', '-c', 'echo "$API_KEY|$SHARED"']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`${PLANTED.API_KEY}|${PLANTED.SHARED}`);
  });
});

describe('tamper matrix: exit 4, error: on stderr, no value shown, no file changed', () => {
  const cases: Array<[string, (dir: string) => void]> = [
    [
      'one byte of a payload flipped (nonce)',
      (dir) =>
        editLine(dir, API_DEV, 0, (l) => {
          const [tag, epoch, payload] = fields(l);
          return `${tag} ${epoch} ${flipByte(payload, 0)}`;
        }),
    ],
    [
      'one byte of a payload flipped (ciphertext)',
      (dir) =>
        editLine(dir, API_DEV, 1, (l) => {
          const [tag, epoch, payload] = fields(l);
          return `${tag} ${epoch} ${flipByte(payload, 40)}`;
        }),
    ],
    [
      'one byte of a payload flipped (Poly1305 tag)',
      (dir) =>
        editLine(dir, DEV, 0, (l) => {
          const [tag, epoch, payload] = fields(l);
          return `${tag} ${epoch} ${flipByte(payload, -1)}`;
        }),
    ],
    [
      'one byte of a line tag flipped',
      (dir) =>
        editLine(dir, API_DEV, 0, (l) => {
          const [tag, epoch, payload] = fields(l);
          return `${flipByte(tag, 5)} ${epoch} ${payload}`;
        }),
    ],
    [
      'a line moved to another scope of the same env (api/development → development)',
      (dir) => {
        const from = readStoreRows(dir, API_DEV);
        const to = readStoreRows(dir, DEV);
        to.lines.push(from.lines.shift() as string);
        writeStore(dir, API_DEV, from);
        writeStore(dir, DEV, to);
      },
    ],
    [
      'a line moved to another env (api/production → api/development)',
      (dir) => {
        const from = readStoreRows(dir, API_PROD);
        const to = readStoreRows(dir, API_DEV);
        to.lines.push(from.lines.shift() as string);
        writeStore(dir, API_PROD, from);
        writeStore(dir, API_DEV, to);
      },
    ],
    [
      'a line copied from another project',
      (dir) => {
        const to = readStoreRows(dir, API_DEV);
        to.lines.push(...readStoreRows(other, API_DEV).lines);
        writeStore(dir, API_DEV, to);
      },
    ],
    [
      'a whole store copied from another project',
      (dir) => cpSync(path.join(other, API_DEV), path.join(dir, API_DEV)),
    ],
    [
      "a line's epoch changed to 2",
      (dir) =>
        editLine(dir, API_DEV, 0, (l) => {
          const [tag, , payload] = fields(l);
          return `${tag} 2 ${payload}`;
        }),
    ],
    ['a line truncated', (dir) => editLine(dir, API_DEV, 0, (l) => l.slice(0, -8))],
    [
      'the file truncated in the middle of its last payload',
      (dir) => {
        const file = path.join(dir, API_DEV);
        const text = readFileSync(file, 'utf8');
        writeFileSync(file, text.slice(0, text.length - 40));
      },
    ],
    [
      'the file truncated in the middle of a tag',
      (dir) => {
        const file = path.join(dir, API_DEV);
        const text = readFileSync(file, 'utf8');
        writeFileSync(file, text.slice(0, text.indexOf('\n') + 10));
      },
    ],
    [
      'the file truncated inside its header',
      (dir) => {
        const file = path.join(dir, DEV);
        writeFileSync(file, readFileSync(file, 'utf8').slice(0, 20));
      },
    ],
    [
      'a store replaced with binary garbage',
      (dir) =>
        writeFileSync(
          path.join(dir, API_DEV),
          Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 73 + 11) % 256)),
        ),
    ],
    [
      'a project-wide store replaced with text garbage',
      (dir) => writeFileSync(path.join(dir, DEV), 'SHARED=not-encrypted\n'),
    ],
    [
      'two payloads swapped between lines',
      (dir) => {
        const store = readStoreRows(dir, API_DEV);
        const [a, b] = store.lines.map(fields) as [
          [string, string, string],
          [string, string, string],
        ];
        store.lines = [`${a[0]} ${a[1]} ${b[2]}`, `${b[0]} ${b[1]} ${a[2]}`];
        writeStore(dir, API_DEV, store);
      },
    ],
    [
      'a line repeated',
      (dir) => {
        const file = path.join(dir, API_DEV);
        const text = readFileSync(file, 'utf8');
        const first = text.split('\n')[1] as string;
        writeFileSync(file, text.replace(`${first}\n`, `${first}\n${first}\n`));
      },
    ],
    [
      'lines out of order',
      (dir) => {
        const store = readStoreRows(dir, API_DEV);
        const file = path.join(dir, API_DEV);
        writeFileSync(file, `${store.header}\n${[...store.lines].reverse().join('\n')}\n`);
      },
    ],
    [
      'the header naming another scope (a store renamed)',
      (dir) => {
        const store = readStoreRows(dir, DEV);
        writeFileSync(path.join(dir, API_DEV), `${store.header}\n${store.lines.join('\n')}\n`);
      },
    ],
  ];

  it.each(cases)('%s', (_what, tamper) => {
    const dir = freshCopy();
    const before = snapshot(dir);
    tamper(dir);
    expect(snapshot(dir)).not.toEqual(before);
    expectIntegrityFailure(dir);
  });
});

describe('git conflict markers in a store', () => {
  it('exit 4 with a hint to run git kagi resolve', () => {
    const dir = freshCopy();
    const store = readStoreRows(dir, API_DEV);
    const [first, second] = store.lines as [string, string];
    const [tag, epoch] = fields(first);
    const theirs = `${tag} ${epoch} ${fields(second)[2]}`;
    writeFileSync(
      path.join(dir, API_DEV),
      [store.header, '<<<<<<< HEAD', first, '=======', theirs, '>>>>>>> feature', second, ''].join(
        '\n',
      ),
    );
    const { get, run } = expectIntegrityFailure(dir);
    expect(get).toMatch(/^hint: .*git kagi resolve/m);
    expect(run).toMatch(/^hint: .*git kagi resolve/m);
  });
});
