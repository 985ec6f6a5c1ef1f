// Builds dist/ from the table of bundles, src/bundles/table.ts, which the entry reads too:
// - git-kagi.cjs, the entry, and hot/*.cjs: what runs on every program start, commit, checkout,
//   merge and diff, each path one CommonJS file that the entry compiles through V8's code cache
//   (src/io/code-cache.ts; the cache files are named by KAGI_BUILD_ID, a digest of these bundles).
//   CommonJS because Node starts it without its ES module loader (about 5 ms on every call); one
//   file per path because parsing code a path never runs costs start-up too.
// - lazy/*.js and chunks/: what is rare (the CLI framework and its commands, age, key rotation,
//   first-time setup, repairs), one ES module build split into chunks that the others import on
//   first use.
// - man/git-kagi.1 from the same command descriptions as `-h`.
// It builds into a fresh folder that replaces dist/ at the end, so a running test never sees half
// a build.

import { createHash } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/** The table of bundles (src/bundles/table.ts), compiled on its own to be read here. */
async function readTable() {
  const tmp = `dist.${process.pid}.table.mjs`;
  await build({
    entryPoints: ['src/bundles/table.ts'],
    bundle: true,
    format: 'esm',
    outfile: tmp,
    logLevel: 'warning',
  });
  try {
    return await import(new URL(`../${tmp}`, import.meta.url).href);
  } finally {
    await rm(tmp, { force: true });
  }
}
const { HOT_BUNDLES, LAZY_CHUNKS } = await readTable();
const lazyBySource = new Map(
  Object.entries(LAZY_CHUNKS).map(([name, source]) => [path.resolve('src', source), name]),
);

/**
 * In the entry and the hot bundles, a dynamic import of a rare path (LAZY_CHUNKS) stays an import
 * of `lazy/<name>.js`, relative to the bundle (`lazyDir`).
 */
function rarePathsLazy(lazyDir) {
  return {
    name: 'rare-paths-lazy',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const name = lazyBySource.get(
          path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'),
        );
        return name === undefined ? undefined : { path: `${lazyDir}/${name}.js`, external: true };
      });
    },
  };
}

/**
 * In the ES module build, Node builtins are taken from `process.getBuiltinModule`, not imported:
 * importing `node:fs` as an ES module builds a namespace of all its exports, which runs lazy
 * getters (streams, promises) and costs milliseconds.
 */
const builtinsWithoutImport = {
  name: 'builtins-without-import',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * In the CommonJS builds, `import path from 'node:path'` (and `node:os`) is the module itself:
 * esbuild would otherwise make an interop copy of it, a getter per export, in every bundle on
 * every start (120 KB of garbage on `run`'s path, enough to cost it a collection).
 */
const builtinDefaults = {
  name: 'builtin-defaults',
  setup(b) {
    b.onResolve({ filter: /^node:(path|os)$/ }, (args) =>
      args.namespace === 'builtin-default'
        ? undefined
        : { path: args.path, namespace: 'builtin-default' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-default' }, (args) => ({
      contents: `export default require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  loader: { '.txt': 'text' },
  legalComments: 'none',
  logLevel: 'warning',
};

/** `hot:<name>` is an entry that exports only that `main`, so the rest is shaken out. */
const hotEntries = {
  name: 'hot-entries',
  setup(b) {
    b.onResolve({ filter: /^hot:/ }, (args) => ({ path: args.path.slice(4), namespace: 'hot' }));
    b.onLoad({ filter: /.*/, namespace: 'hot' }, (args) => {
      const { source } = HOT_BUNDLES[args.path];
      return {
        contents: [
          `import { withRuntime } from './bundles/command.js';`,
          `import { work } from './${source}';`,
          `export const main = (argv) => withRuntime(argv, work);`,
        ].join('\n'),
        resolveDir: 'src',
        loader: 'js',
      };
    });
  },
};

/**
 * A hot bundle as src/io/code-cache.ts compiles it: inside the function CommonJS would wrap it in
 * (written out, so no process joins strings to compile it), with one more parameter,
 * `__kagiImport`, the entry's own dynamic import. Node 20 gives code compiled by node:vm no
 * dynamic import without an experimental flag, so each `import("./lazy/…")` becomes a call of
 * it; any other dynamic import would fail at run time, so it fails the build.
 */
function wrapHotBundle(text, file) {
  const rewritten = text.replace(/(?<![\w$.])import\((?="\.\/lazy\/)/g, '__kagiImport(');
  if (/(?<![\w$.])import\(/.test(rewritten)) {
    throw new Error(`${file}: a dynamic import that is not of ./lazy/ cannot run under node:vm`);
  }
  // The loader reads it as latin1 (one byte per character, no decoding): esbuild escapes the rest.
  if (/[^\x00-\x7f]/.test(rewritten)) throw new Error(`${file}: not ASCII`);
  return `(function (exports, require, module, __filename, __dirname, __kagiImport) {${rewritten}\n})`;
}

const out = `dist.${process.pid}.tmp`;
await rm(out, { recursive: true, force: true });
const hotEntryPoints = (plain) =>
  Object.fromEntries(
    Object.keys(HOT_BUNDLES)
      .filter((name) => (HOT_BUNDLES[name].plain === true) === plain)
      .map((name) => [`hot/${name}`, `hot:${name}`]),
  );
const hotBuild = await build({
  ...common,
  format: 'cjs',
  entryPoints: hotEntryPoints(false),
  // Without the indentation the source V8 keeps in memory on every start is 25% smaller.
  minifyWhitespace: true,
  outdir: out,
  outExtension: { '.js': '.cjs' },
  write: false,
  // Relative to the entry, whose import they use.
  plugins: [hotEntries, builtinDefaults, rarePathsLazy('./lazy')],
});
const buildId = createHash('sha256');
await mkdir(`${out}/hot`, { recursive: true });
for (const file of hotBuild.outputFiles) {
  const text = wrapHotBundle(file.text, file.path);
  buildId.update(text);
  await writeFile(file.path, text);
}
await build({
  ...common,
  format: 'cjs',
  entryPoints: hotEntryPoints(true),
  outdir: out,
  outExtension: { '.js': '.cjs' },
  plugins: [hotEntries, builtinDefaults, rarePathsLazy('../lazy')],
});
await build({
  ...common,
  format: 'cjs',
  entryPoints: { 'git-kagi': 'src/main.ts' },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  banner: { js: '#!/usr/bin/env node' },
  define: { KAGI_BUILD_ID: JSON.stringify(buildId.digest('hex').slice(0, 16)) },
  plugins: [builtinDefaults, rarePathsLazy('./lazy')],
});
await chmod(`${out}/git-kagi.cjs`, 0o755);
await build({
  ...common,
  format: 'esm',
  entryPoints: Object.fromEntries(
    Object.entries(LAZY_CHUNKS).map(([name, source]) => [`lazy/${name}`, `src/${source}`]),
  ),
  outdir: out,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // clipanion is CommonJS: its require() calls need a require in an ES module.
  banner: {
    js: 'import { createRequire as __kagiCreateRequire } from "node:module"; const require = __kagiCreateRequire(import.meta.url);',
  },
  plugins: [builtinsWithoutImport],
});

await build({
  ...common,
  format: 'esm',
  entryPoints: { 'man-page': 'src/cli/man-page.ts' },
  outdir: `${out}/tmp`,
  banner: {
    js: 'import { createRequire as __kagiCreateRequire } from "node:module"; const require = __kagiCreateRequire(import.meta.url);',
  },
  plugins: [builtinsWithoutImport],
});
const { renderManPage } = await import(new URL(`../${out}/tmp/man-page.js`, import.meta.url).href);
await mkdir(`${out}/man`, { recursive: true });
await writeFile(`${out}/man/git-kagi.1`, renderManPage());
await rm(`${out}/tmp`, { recursive: true, force: true });

const old = `dist.${process.pid}.old`;
await rename('dist', old).catch(() => {});
await rename(out, 'dist');
await rm(old, { recursive: true, force: true });
