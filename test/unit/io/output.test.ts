// Unit tests of src/io/output.ts with a scripted writeSync: every byte of a line reaches the
// descriptor once and in order, whether the descriptor takes it whole, in parts, or would block
// (EAGAIN) and hands the rest to Node's stream; a reader gone (EPIPE) ends the output quietly.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Step = number | 'EAGAIN' | 'EPIPE' | 'ENOSPC';
let script: Step[] = [];
const written: Buffer[] = [];

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writeSync(_fd: number, data: string | Uint8Array, offset = 0): number {
      const step = script.shift() ?? Number.POSITIVE_INFINITY;
      if (typeof step === 'string') throw Object.assign(new Error(step), { code: step });
      const bytes =
        typeof data === 'string' ? Buffer.from(data) : Buffer.from(data).subarray(offset);
      const taken = bytes.subarray(0, Math.min(step, bytes.length));
      written.push(Buffer.from(taken));
      return taken.length;
    },
  };
});

/** A fresh module each time: once a descriptor has been handed to the stream, it stays there. */
async function load() {
  vi.resetModules();
  return import('../../../src/io/output.js');
}

let streamed: Buffer[] = [];
beforeEach(() => {
  script = [];
  written.length = 0;
  streamed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    streamed.push(Buffer.from(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const LINE = 'KEY  •••••••• set 2026-11-22 by alice';
const all = () => Buffer.concat([...written, ...streamed]).toString('utf8');

describe('writeOut', () => {
  it('writes a line whole, with its newline', async () => {
    const { writeOut } = await load();
    writeOut(LINE);
    expect(all()).toBe(`${LINE}\n`);
    expect(streamed).toEqual([]);
  });

  it('finishes a line the descriptor took in parts, even one cut inside a character', async () => {
    const { writeOut } = await load();
    script = [5, 3, 2];
    writeOut(LINE);
    expect(all()).toBe(`${LINE}\n`);
    expect(written.length).toBeGreaterThan(3);
  });

  it('ends quietly when the reader is gone', async () => {
    const { writeOut } = await load();
    script = [4, 'EPIPE'];
    expect(() => writeOut(LINE)).not.toThrow();
    expect(all()).toBe(LINE.slice(0, 4));
  });

  it('is a clear error when the output cannot be written', async () => {
    const { writeOut } = await load();
    script = ['ENOSPC'];
    expect(() => writeOut(LINE)).toThrow(/could not write to standard output \(ENOSPC\)/);
  });

  it.each([
    ['at once', ['EAGAIN'] as Step[]],
    ['after a part', [7, 'EAGAIN'] as Step[]],
  ])(
    'hands the rest to the stream where the descriptor would block %s, and keeps it there',
    async (_when, steps) => {
      const { writeOut, handedToStreams } = await load();
      script = [...steps];
      expect(handedToStreams()).toBe(false);
      writeOut(LINE);
      expect(all()).toBe(`${LINE}\n`);
      expect(streamed.length).toBe(1);
      expect(handedToStreams()).toBe(true);
      writeOut('next');
      expect(all()).toBe(`${LINE}\nnext\n`);
      expect(written.length).toBe(steps.length - 1);
    },
  );
});
