// Unit tests of src/core/marked-block.ts: the blocks git kagi writes into .gitignore,
// .gitattributes and hooks are replaced in place, never duplicated, and removed cleanly.
import { describe, expect, it } from 'vitest';
import { removeMarkedBlock, upsertMarkedBlock } from '../../../src/core/marked-block.js';

const BLOCK = '# >>> git-kagi >>>\n.env\n.env.*\n!.env.example\n# <<< git-kagi <<<\n';
const NEWER = '# >>> git-kagi >>>\n.env\n.env.*\n!.env.example\n!.env.sample\n# <<< git-kagi <<<\n';

describe('upsertMarkedBlock', () => {
  it.each([
    ['an empty file', ''],
    ['a file ending with a newline', 'node_modules\n'],
    ['a file without a final newline', 'node_modules'],
    ['a file ending with a blank line', 'node_modules\n\n'],
  ])('appends the block to %s, separated by one blank line', (_what, existing) => {
    const out = upsertMarkedBlock(existing, BLOCK);
    expect(out.endsWith(BLOCK)).toBe(true);
    expect(out.startsWith(existing)).toBe(true);
    if (existing !== '') expect(out).toBe(`node_modules\n\n${BLOCK}`);
    else expect(out).toBe(BLOCK);
  });

  it('is idempotent: running twice gives the same bytes as once', () => {
    for (const existing of ['', 'node_modules\n', 'a\n\nb']) {
      const once = upsertMarkedBlock(existing, BLOCK);
      expect(upsertMarkedBlock(once, BLOCK)).toBe(once);
    }
  });

  it('replaces an older block in place, keeping the user’s lines around it', () => {
    const existing = `dist\n\n${BLOCK}\n# mine\ncoverage\n`;
    const out = upsertMarkedBlock(existing, NEWER);
    expect(out).toBe(`dist\n\n${NEWER}\n# mine\ncoverage\n`);
    expect(out.match(/>>> git-kagi >>>/g)).toHaveLength(1);
  });
});

describe('removeMarkedBlock', () => {
  it('undoes an upsert', () => {
    for (const existing of ['', 'node_modules\n', 'node_modules\n\n']) {
      const out = removeMarkedBlock(upsertMarkedBlock(existing, BLOCK), BLOCK);
      expect(out).toBe(existing === '' ? '' : 'node_modules\n');
    }
  });

  it('removes a block in the middle and keeps the lines after it', () => {
    expect(removeMarkedBlock(`dist\n\n${BLOCK}coverage\n`, BLOCK)).toBe('dist\ncoverage\n');
  });

  it('removes a block whose content differs from the one given (an older version)', () => {
    expect(removeMarkedBlock(`dist\n\n${BLOCK}`, NEWER)).toBe('dist\n');
  });

  it('leaves a file without the block, or with a start marker alone, unchanged', () => {
    expect(removeMarkedBlock('dist\n', BLOCK)).toBe('dist\n');
    const broken = '# >>> git-kagi >>>\n.env\n';
    expect(removeMarkedBlock(broken, BLOCK)).toBe(broken);
  });
});
