// Builds dist/ (start-up is a feature, issue 5):
// - git-kagi.js and chunks/: the whole CLI, one ESM build split into lazily loaded chunks;
// - hot/run.js, hot/get.js, hot/pre-commit.js and hot/hook.js (post-checkout, post-merge): what
//   runs in front of every program, the listing people type most, and what git runs on every
//   commit and checkout, each
//   one self-contained file (loading ~25 chunks costs more than parsing one), whose rare paths
//   (help, age, an interrupted rotation, first-time setup) import lazy/*.js of the main build;
// - man/git-kagi.1 from the same command descriptions as `-h`.
// It builds into a fresh folder that replaces dist/ at the end, so a running test never sees half
// a build.

import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

/** Modules the hot bundles leave to the main build: `lazy/<name>.js` there. */
const LAZY = {
  cli: 'src/cli/cli.ts',
  age: 'src/crypto/age.ts',
  'rotate-key': 'src/operations/rotate-key.ts',
  'setup-git': 'src/operations/setup-git.ts',
  'repair-project': 'src/operations/repair-project.ts',
};
const lazyPattern = new RegExp(`/(${Object.keys(LAZY).join('|')})\\.js$`);

/**
 * Node builtins are loaded through `require`, not `import`: importing `node:fs` as ESM builds a
 * namespace of all its exports, which runs lazy getters (streams, promises) and costs milliseconds
 * on every start. main.ts defines the global `require` before anything else is loaded.
 */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.path === 'node:module' || args.namespace === 'builtin'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** In the main build, `./hot/*.js` are the separately built hot bundles. */
const hotBundlesOutside = {
  name: 'hot-bundles-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/hot\// }, (args) => ({ path: args.path, external: true }));
  },
};

/** In the hot bundles, the rare paths are the main build's lazy entries. */
const lazyFromMainBuild = {
  name: 'lazy-from-main-build',
  setup(b) {
    b.onResolve({ filter: lazyPattern }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const name = lazyPattern.exec(args.path)[1];
      return { path: `../lazy/${name}.js`, external: true };
    });
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  loader: { '.txt': 'text' },
  legalComments: 'none',
  logLevel: 'warning',
};

const out = `dist.${process.pid}.tmp`;
await rm(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: {
    'git-kagi': 'src/main.ts',
    ...Object.fromEntries(Object.entries(LAZY).map(([name, file]) => [`lazy/${name}`, file])),
  },
  outdir: out,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: '#!/usr/bin/env node' },
  plugins: [builtinsThroughRequire, hotBundlesOutside],
});
await chmod(`${out}/git-kagi.js`, 0o755);
await build({
  ...common,
  entryPoints: {
    'hot/run': 'src/hot/run.ts',
    'hot/get': 'src/hot/get.ts',
    'hot/hook': 'src/hot/hook.ts',
    'hot/pre-commit': 'src/hot/pre-commit.ts',
  },
  outdir: out,
  plugins: [builtinsThroughRequire, lazyFromMainBuild],
});

await build({
  ...common,
  entryPoints: { 'man-page': 'src/cli/man-page.ts' },
  outdir: `${out}/tmp`,
  banner: {
    js: 'import { createRequire as __kagiCreateRequire } from "node:module"; globalThis.require ??= __kagiCreateRequire(import.meta.url);',
  },
  plugins: [builtinsThroughRequire],
});
const { renderManPage } = await import(new URL(`../${out}/tmp/man-page.js`, import.meta.url).href);
await mkdir(`${out}/man`, { recursive: true });
await writeFile(`${out}/man/git-kagi.1`, renderManPage());
await rm(`${out}/tmp`, { recursive: true, force: true });

const old = `dist.${process.pid}.old`;
await rename('dist', old).catch(() => {});
await rename(out, 'dist');
await rm(old, { recursive: true, force: true });
