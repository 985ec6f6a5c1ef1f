// V8's code cache of the hot bundles (DESIGN.md §3) through the built binary: written once a
// command has run to completion, reused after, holding no secret, and never trusted when damaged:
// V8 itself would crash on a damaged cache, so every damage must end as a normal run and a
// rewritten file.
import { createHash } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanup, kagi, makePerson, makeRepo, must } from './harness.js';

afterAll(cleanup);

const VALUE = 'code-cache-value-Hs8kW2pQ';
const MAGIC = 'git-kagi-code-cache/1\n';

function setUp() {
  const alice = makePerson('alice');
  const repo = makeRepo(alice);
  must(kagi(alice, repo, ['init', '--name', 'alice', '--envs']));
  must(kagi(alice, repo, ['set', '--env', 'development', 'CODE_CACHE_SECRET', VALUE]));
  const dir = path.join(alice.home, 'cache', 'code');
  const script = 'process.stdout.write(process.env.CODE_CACHE_SECRET ?? "(unset)")';
  const run = () =>
    kagi(alice, repo, ['run', '--env', 'development', '--', process.execPath, '-e', script]);
  return { alice, repo, dir, run };
}

/** The cache file of one bundle, in a folder that holds this build's files only. */
function cacheFileOf(dir: string, bundle: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith(`${bundle}.`));
  expect(names).toHaveLength(1);
  return path.join(dir, names[0] as string);
}

/** Whether a file is a cache that checks out: magic, then the SHA-256 of the rest. */
/** What the entry hashes with a cache: the 4-byte length of the bundle's source, the source, the data. */
function digest(source: Buffer, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(source.length);
  return createHash('sha256').update(length).update(source).update(data).digest();
}

/** The source of a bundle, as the binary under test reads it. */
function bundleSource(bundle: string): Buffer {
  return readFileSync(path.join(path.dirname(BIN), 'hot', `${bundle}.cjs`));
}

/** Whether a cache file checks out: magic, then the digest of its bundle's source and the rest. */
function checksOut(file: string): boolean {
  const bytes = readFileSync(file);
  const data = bytes.subarray(MAGIC.length + 32);
  const bundle = path.basename(file).split('.')[0] as string;
  return (
    bytes.subarray(0, MAGIC.length).toString('latin1') === MAGIC &&
    digest(bundleSource(bundle), data).equals(bytes.subarray(MAGIC.length, MAGIC.length + 32))
  );
}

function expectRunWorks(run: () => ReturnType<typeof kagi>) {
  const r = run();
  expect(r.stderr).toBe('');
  expect([r.code, r.stdout]).toEqual([0, VALUE]);
}

describe('code cache', () => {
  it('is written by a command that runs to completion, 0600 in a 0700 folder, with no secret', () => {
    const { alice, repo, dir, run } = setUp();
    expectRunWorks(run);
    must(kagi(alice, repo, ['get', '--json']));
    for (const bundle of ['run', 'get', 'set']) {
      const file = cacheFileOf(dir, bundle);
      expect(path.basename(file)).toMatch(new RegExp(`^${bundle}\\.[0-9a-f]{16}\\.bin$`));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(checksOut(file)).toBe(true);
      const text = readFileSync(file).toString('latin1');
      expect(text).not.toContain(VALUE);
      expect(text).not.toContain('CODE_CACHE_SECRET');
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('is written by a `run` whose program fails: git kagi itself ran to completion', () => {
    const { alice, repo, dir } = setUp();
    const r = kagi(alice, repo, [
      'run',
      '--env',
      'development',
      '--',
      process.execPath,
      '-e',
      'process.exit(3)',
    ]);
    expect(r.code).toBe(3);
    expect(checksOut(cacheFileOf(dir, 'run'))).toBe(true);
  });

  it('is reused while it checks out', () => {
    const { dir, run } = setUp();
    expectRunWorks(run);
    const first = statSync(cacheFileOf(dir, 'run'));
    expectRunWorks(run);
    expectRunWorks(run);
    const again = statSync(cacheFileOf(dir, 'run'));
    expect([again.ino, again.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
  });

  it('is ignored and rewritten when damaged anywhere, truncated or emptied, never crashing', () => {
    const { dir, run } = setUp();
    expectRunWorks(run);
    const file = cacheFileOf(dir, 'run');
    const good = readFileSync(file);
    const damages: Array<[string, Buffer]> = [
      ['truncated', good.subarray(0, good.length >> 1)],
      ['empty', Buffer.alloc(0)],
      ['zero-filled', Buffer.alloc(good.length)],
      ['header only', good.subarray(0, MAGIC.length + 32)],
    ];
    // Bytes all through V8's data: without the digest, some of these crash V8's deserializer.
    for (let i = 0; i < 8; i++) {
      const at =
        MAGIC.length + 32 + Math.floor(((good.length - MAGIC.length - 32) * (i + 0.5)) / 8);
      const flipped = Buffer.from(good);
      flipped[at] = (flipped[at] as number) ^ 0x5a;
      damages.push([`byte ${at} flipped`, flipped]);
    }
    for (const [what, bytes] of damages) {
      writeFileSync(file, bytes);
      const r = run();
      expect({ what, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        what,
        code: 0,
        stdout: VALUE,
        stderr: '',
      });
      expect(checksOut(cacheFileOf(dir, 'run'))).toBe(true);
    }
  });

  it('is rewritten when V8 refuses data that checks out (as after a Node upgrade)', () => {
    const { alice, repo, dir, run } = setUp();
    expectRunWorks(run);
    must(kagi(alice, repo, ['get']));
    const runFile = cacheFileOf(dir, 'run');
    // get's V8 data, sealed for run's source: the digest matches, V8 refuses the data.
    const data = readFileSync(cacheFileOf(dir, 'get')).subarray(MAGIC.length + 32);
    const forged = Buffer.concat([Buffer.from(MAGIC), digest(bundleSource('run'), data), data]);
    writeFileSync(runFile, forged);
    expect(checksOut(runFile)).toBe(true);
    expectRunWorks(run);
    expect(readFileSync(runFile).equals(forged)).toBe(false);
    expect(checksOut(runFile)).toBe(true);
  });

  it('is ignored when made for another source (a bundle patched in place)', () => {
    const { alice, repo, dir, run } = setUp();
    expectRunWorks(run);
    must(kagi(alice, repo, ['get']));
    const runFile = cacheFileOf(dir, 'run');
    writeFileSync(runFile, readFileSync(cacheFileOf(dir, 'get'))); // sealed for get's source
    expect(checksOut(runFile)).toBe(false);
    expectRunWorks(run);
    expect(checksOut(runFile)).toBe(true);
  });

  it('keeps the files of the two newest other builds, and is not written by a command that fails', () => {
    const { repo, dir, run } = setUp();
    expectRunWorks(run);
    const file = cacheFileOf(dir, 'run');
    const others = ['0000000000000001', '0000000000000002', '0000000000000003'].map((id, i) => {
      const other = path.join(dir, `run.${id}.bin`);
      writeFileSync(other, readFileSync(file));
      utimesSync(other, 1_000_000 + i, 1_000_000 + i); // oldest first
      return path.basename(other);
    });
    writeFileSync(file, 'damaged'); // so this run writes its own again
    expectRunWorks(run);
    expect(
      readdirSync(dir)
        .filter((n) => n.startsWith('run.'))
        .sort(),
    ).toEqual([path.basename(file), others[1], others[2]].sort());

    const other = makePerson('bob');
    const r = kagi(other, repo, ['get']);
    expect(r.code).not.toBe(0);
    expect(existsSync(path.join(other.home, 'cache', 'code'))).toBe(false);
  });

  it('costs nothing but speed when it cannot be written', () => {
    const { alice, run } = setUp();
    rmSync(path.join(alice.home, 'cache'), { recursive: true });
    writeFileSync(path.join(alice.home, 'cache'), 'not a folder');
    expectRunWorks(run);
    expectRunWorks(run);
  });
});
