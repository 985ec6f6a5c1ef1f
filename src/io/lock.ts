// The write lock of DESIGN §4: `<git dir>/kagi/lock`, created exclusively, holding our pid. Another
// writer waits briefly; a lock whose process is gone, or that never got a pid, is taken over.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { KagiError } from '../errors.js';
import { describeWriteError, isProcessAlive } from './atomic-file.js';

const WAIT_MS = 15_000;
/** A live owner writes its pid right after creating the lock; an empty lock this old has none. */
const UNWRITTEN_MS = 10_000;

/** The owner died (SIGKILL, power loss), or was killed between creating the lock and writing its pid. */
async function isAbandoned(file: string): Promise<boolean> {
  const read = () => fs.readFile(file, 'utf8').catch(() => null);
  const text = await read();
  if (text === null) return false;
  const owner = Number.parseInt(text, 10);
  if (Number.isSafeInteger(owner) && owner > 0) {
    // Re-reading keeps us from removing a lock another waiter has just taken over.
    return !isProcessAlive(owner) && (await read()) === text;
  }
  const stat = await fs.stat(file).catch(() => null);
  return stat !== null && Date.now() - stat.mtimeMs > UNWRITTEN_MS;
}

async function tryAcquire(file: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw describeWriteError(file, error);
    // Remove an abandoned lock, then race for a new one.
    if (await isAbandoned(file)) await fs.rm(file, { force: true });
    return false;
  }
  try {
    await handle.writeFile(String(process.pid));
  } catch (error) {
    // A lock left without its owner's pid (a full disk) would block every later writer.
    await handle.close().catch(() => {});
    await fs.rm(file, { force: true }).catch(() => {});
    throw describeWriteError(file, error);
  }
  await handle.close();
  return true;
}

export async function withLock<T>(gitDir: string, work: () => Promise<T>): Promise<T> {
  const folder = path.join(gitDir, 'kagi');
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, 'lock');
  const deadline = Date.now() + WAIT_MS;
  let delay = 5;
  while (!(await tryAcquire(file))) {
    if (Date.now() > deadline) {
      throw new KagiError('locked', `another git kagi command is writing (${file})`, {
        hint: 'wait for it to finish; if none is running, delete that file',
      });
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await work();
  } finally {
    await fs.rm(file, { force: true });
  }
}
