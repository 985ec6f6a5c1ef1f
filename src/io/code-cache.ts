// Loading the hot bundles through V8's code cache (DESIGN §3; bench cases 1, 3, 4, 6 and 9 warm,
// case 10 cold). Compiling a bundle, then each function as it first runs, costs about 3 ms on every
// start; given the bytecode an earlier run produced, V8 skips it. V8 checks that a cache fits its
// own version and flags and the length of the source, but not the source's text, nor the cache's
// own integrity: a damaged cache can crash the process, and a bundle changed in place to the same
// length (patch-package) would run its old bytecode. So a cache file is named after the build
// (scripts/build.mjs) and starts with a SHA-256 of the bundle's source and the cache's bytes,
// checked before V8 sees them. Anything that does not check out is compiled as usual, and cached
// again once the command has run to completion. node:vm and node:crypto are loaded on first use:
// the entry imports this file on every path.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { readBytesOrNull, replaceDisposableFile } from './atomic-file.js';

const MAGIC = Buffer.from('git-kagi-code-cache/1\n');
const DIGEST_BYTES = 32;

/**
 * The entry's dynamic import, which a bundle compiled by node:vm calls instead of its own (the
 * build rewrites them): Node 20 gives vm code a dynamic import only behind an experimental flag.
 */
export type ImportFromEntry = (specifier: string) => Promise<unknown>;

/** Bundles compiled without a cache, whose cache saveCodeCaches writes. */
const unsaved: Array<() => void> = [];

/**
 * Runs the hot bundle `file` (a CommonJS bundle in its function, scripts/build.mjs) and returns its
 * exports. `cacheFile` is used if it checks out; if it was missing or refused, saveCodeCaches
 * writes it.
 */
export function loadBundle(
  file: string,
  cacheFile: string,
  importFromEntry: ImportFromEntry,
): unknown {
  // Already wrapped in its function by the build, and ASCII: one byte is one character.
  const bytes = readFileSync(file);
  const source = bytes.toString('latin1');
  const cached = checkCache(readBytesOrNull(cacheFile), bytes);
  const { Script } = process.getBuiltinModule('node:vm');
  const script = new Script(source, { filename: file, ...(cached ? { cachedData: cached } : {}) });
  if (cached === null || script.cachedDataRejected) {
    unsaved.push(() => saveCache(cacheFile, () => sealCache(script.createCachedData(), bytes)));
  }
  const module = { exports: {} };
  script.runInThisContext()(
    module.exports,
    require,
    module,
    file,
    path.dirname(file),
    importFromEntry,
  );
  return module.exports;
}

/**
 * Writes the cache of each bundle compiled without one. Called once a command has run to
 * completion, not at load: V8 then includes every function the command compiled, not only the
 * bundle's top level.
 */
export function saveCodeCaches(): void {
  for (const save of unsaved.splice(0)) save();
}

/** The V8 data of a cache file whose digest matches it and `source`, else null. */
export function checkCache(bytes: Uint8Array | null, source: Uint8Array): Buffer | null {
  if (bytes === null || bytes.length <= MAGIC.length + DIGEST_BYTES) return null;
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!file.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const data = file.subarray(MAGIC.length + DIGEST_BYTES);
  const digest = file.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES);
  return digestOf(data, source).equals(digest) ? data : null;
}

/** magic ‖ SHA-256(source-length ‖ source ‖ data) ‖ data. */
export function sealCache(data: Uint8Array, source: Uint8Array): Buffer {
  return Buffer.concat([MAGIC, digestOf(data, source), data]);
}

function digestOf(data: Uint8Array, source: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(source.length);
  return process
    .getBuiltinModule('node:crypto')
    .createHash('sha256')
    .update(length)
    .update(source)
    .update(data)
    .digest();
}

/**
 * How many builds of one bundle keep a cache: two versions used in turn (a global install and a
 * project's own) must not evict each other on every start.
 */
const BUILDS_KEPT = 3;

/**
 * Writes `<name>.<build>.bin`, then removes the files of older builds of the same bundle beyond
 * the newest BUILDS_KEPT. Best effort: a cache that cannot be written costs the next start its
 * compile time, nothing else.
 */
function saveCache(cacheFile: string, seal: () => Uint8Array): void {
  try {
    replaceDisposableFile(cacheFile, seal());
    const folder = path.dirname(cacheFile);
    const own = path.basename(cacheFile);
    const bundle = own.slice(0, own.indexOf('.') + 1);
    const builds = readdirSync(folder)
      .filter((name) => name.startsWith(bundle) && name.endsWith('.bin'))
      .map((name) => ({ name, written: statSync(path.join(folder, name)).mtimeMs }))
      .sort((a, b) => b.written - a.written);
    for (const { name } of builds.slice(BUILDS_KEPT)) {
      if (name !== own) rmSync(path.join(folder, name), { force: true });
    }
  } catch {
    // the folder vanished or is unreadable: the next start compiles again
  }
}
