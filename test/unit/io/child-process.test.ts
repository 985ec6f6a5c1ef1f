// Unit tests of how src/io/child-process.ts picks its way to start a program (DESIGN.md §6): a
// process.binding that warns, is wrapped or throws is never used, and never shows its warning;
// child_process then starts the program, with the same exit codes; KAGI_SPAWN forces it.
import { afterEach, describe, expect, it, vi } from 'vitest';

const realBinding = (process as { binding?: unknown }).binding;
afterEach(() => {
  (process as { binding?: unknown }).binding = realBinding;
  vi.restoreAllMocks();
});

/** A fresh module: it remembers which way it chose. */
async function load() {
  vi.resetModules();
  return import('../../../src/io/child-process.js');
}

/** A binding that Node's own check would take for the real one (same name), returning `make()`. */
function stubBinding(make: () => unknown): void {
  (process as { binding?: unknown }).binding = function binding(name: string) {
    expect(name).toBe('process_wrap');
    return make();
  };
}

class NeverUsed {
  constructor() {
    throw new Error('the process handle was used');
  }
}

describe('runChild', () => {
  it('starts a program through the process handle and passes its exit code through', async () => {
    const { runChild } = await load();
    expect(await runChild('sh', ['-c', 'exit 5'], process.env)).toBe(5);
  });

  it('uses child_process, silently, when the binding warns (a run-time deprecation)', async () => {
    const emitted = vi.spyOn(process, 'emitWarning');
    stubBinding(() => {
      process.emitWarning('process.binding is deprecated', 'DeprecationWarning');
      return { Process: NeverUsed };
    });
    const { runChild } = await load();
    expect(await runChild('sh', ['-c', 'exit 4'], process.env)).toBe(4);
    expect(emitted).not.toHaveBeenCalled();
    expect(process.emitWarning).toBe(emitted); // put back as it was
  });

  it('uses child_process when the binding throws (the permission model) or is wrapped', async () => {
    stubBinding(() => {
      throw Object.assign(new Error('denied'), { code: 'ERR_ACCESS_DENIED' });
    });
    expect(await (await load()).runChild('sh', ['-c', 'exit 3'], process.env)).toBe(3);
    (process as { binding?: unknown }).binding = function deprecated() {
      return { Process: NeverUsed };
    };
    expect(await (await load()).runChild('sh', ['-c', 'exit 2'], process.env)).toBe(2);
  });

  it('refuses an argument or a variable with a NUL rather than cut it short', async () => {
    const { runChild } = await load();
    await expect(runChild('true', ['a\0b'], process.env)).rejects.toThrow(/could not start true/);
    await expect(runChild('true', [], { ...process.env, X: 'a\0b' })).rejects.toThrow(
      /could not start true/,
    );
  });
});

describe('runChild with the portable launcher (KAGI_SPAWN=child_process)', () => {
  it('never touches the process handle', async () => {
    stubBinding(() => ({ Process: NeverUsed }));
    const { runChild } = await load();
    expect(await runChild('sh', ['-c', 'exit 6'], process.env, 'child_process')).toBe(6);
  });
});
