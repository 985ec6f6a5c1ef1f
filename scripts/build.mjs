// Builds dist/: one ESM bundle split into lazily loaded chunks (startup is a feature), then the
// git-kagi(1) man page from the same command descriptions as `-h`.

import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const banner =
  'import { createRequire as __kagiCreateRequire } from "node:module"; const require = __kagiCreateRequire(import.meta.url);';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: { 'git-kagi': 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  loader: { '.txt': 'text' },
  banner: { js: `#!/usr/bin/env node\n${banner}` },
  legalComments: 'none',
  logLevel: 'warning',
});
await chmod('dist/git-kagi.js', 0o755);

await build({
  entryPoints: { 'man-page': 'src/cli/man-page.ts' },
  outdir: 'dist/tmp',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  loader: { '.txt': 'text' },
  banner: { js: banner },
  logLevel: 'warning',
});
const { renderManPage } = await import(new URL('../dist/tmp/man-page.js', import.meta.url).href);
await mkdir('dist/man', { recursive: true });
await writeFile('dist/man/git-kagi.1', renderManPage());
await rm('dist/tmp', { recursive: true, force: true });
