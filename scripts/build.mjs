// Builds dist/: one ESM bundle split into lazily loaded chunks (start-up is a feature), then the
// git-kagi(1) man page from the same command descriptions as `-h`. The build goes to a fresh
// folder that replaces dist/ at the end, so a running test never sees half a build.

import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

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

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  loader: { '.txt': 'text' },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [builtinsThroughRequire],
};

const out = `dist.${process.pid}.tmp`;
await rm(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { 'git-kagi': 'src/main.ts' },
  outdir: out,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: '#!/usr/bin/env node' },
});
await chmod(`${out}/git-kagi.js`, 0o755);

await build({
  ...common,
  entryPoints: { 'man-page': 'src/cli/man-page.ts' },
  outdir: `${out}/tmp`,
  banner: {
    js: 'import { createRequire as __kagiCreateRequire } from "node:module"; globalThis.require ??= __kagiCreateRequire(import.meta.url);',
  },
});
const { renderManPage } = await import(new URL(`../${out}/tmp/man-page.js`, import.meta.url).href);
await mkdir(`${out}/man`, { recursive: true });
await writeFile(`${out}/man/git-kagi.1`, renderManPage());
await rm(`${out}/tmp`, { recursive: true, force: true });

const old = `dist.${process.pid}.old`;
await rename('dist', old).catch(() => {});
await rename(out, 'dist');
await rm(old, { recursive: true, force: true });
