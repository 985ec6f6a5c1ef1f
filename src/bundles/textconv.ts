// `git kagi textconv <file>`: what `git diff` and `git log -p` show for a store (DESIGN §5).
import { readFile } from 'node:fs/promises';
import { EXIT } from '../errors.js';
import { renderStoreForDiff } from '../operations/git/render-store-for-diff.js';
import type { Runtime } from '../runtime.js';

export async function work(args: readonly string[], rt: Runtime): Promise<number> {
  const [file] = args;
  if (!file) {
    rt.notice('error: usage: git kagi textconv <file>');
    return EXIT.usage;
  }
  const text = await readFile(file, 'utf8');
  process.stdout.write(await renderStoreForDiff(rt, text));
  return EXIT.ok;
}
