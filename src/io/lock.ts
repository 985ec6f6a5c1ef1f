// The write lock of DESIGN §4: `<git dir>/kagi/lock`, created exclusively, holding our pid. Another
// writer waits briefly; a lock whose process is gone is taken over.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KagiError } from '../errors.js';

const WAIT_MS = 15_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryAcquire(file: string): Promise<boolean> {
  try {
    const handle = await fs.open(file, 'wx', 0o600);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const readOwner = async () =>
      Number.parseInt((await fs.readFile(file, 'utf8').catch(() => '')) || '', 10);
    const owner = await readOwner();
    // The owner died (SIGKILL, power loss): remove its lock, then race for a new one. Re-reading
    // first keeps us from removing a lock another waiter has just taken over.
    if (
      Number.isSafeInteger(owner) &&
      owner > 0 &&
      !isAlive(owner) &&
      (await readOwner()) === owner
    ) {
      await fs.rm(file, { force: true });
    }
    return false;
  }
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
