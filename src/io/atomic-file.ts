// Atomic writes (DESIGN §4): temp file in the same folder (0600), fsync, rename, fsync of the
// folder. A crash leaves either the old file or the new one, never half of one; the temp file a
// killed writer leaves behind is removed by the next write of the same file.
import {
  existsSync,
  promises as fs,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { KagiError } from '../errors.js';

/** Whether a file or folder exists (a stat, synchronous: cheaper than a promise round trip). */
export function pathExists(file: string): boolean {
  return existsSync(file);
}

/**
 * Reads synchronously: small files, and promise-based reads cost milliseconds of start-up. As
 * UTF-8 by Node's own reader (the one that loads modules), cheaper on a first call than bytes
 * decoded after.
 */
export async function readTextOrNull(file: string): Promise<string | null> {
  return unlessMissing(() => readFileSync(file, 'utf8'));
}

/** The bytes of a file, or null when it does not exist; any other failure is thrown. */
export function readFileIfExists(file: string): Buffer | null {
  return unlessMissing(() => readFileSync(file));
}

function unlessMissing<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The bytes of a file, or null when it is absent or unreadable (a cache: a miss, not an error). */
export function readBytesOrNull(file: string): Uint8Array | null {
  try {
    return readFileIfExists(file);
  } catch {
    return null;
  }
}

/**
 * Replaces a file that can be rebuilt at any time (a cache): a temp file (0600) renamed over it,
 * without fsync: a crash may lose it, never leave half of it. Failures are ignored.
 */
export function replaceDisposableFile(file: string, data: Uint8Array): void {
  const temp = tempPath(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the folder itself is missing or not a folder: no temp file was made
    }
  }
}

export async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Unique enough beside the pid (temp names need no secrecy), without loading node:crypto. */
function randomHex8(): string {
  return Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tempPath(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomHex8()}.tmp`,
  );
}

/**
 * Removes the temp files of `file` whose writer is gone (SIGKILL, power loss before the rename):
 * in `.kagi/` they would otherwise be committed by the next `git add .kagi`.
 */
async function removeAbandonedTempFiles(file: string): Promise<void> {
  const prefix = `.${path.basename(file)}.`;
  const names = await fs.readdir(path.dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const owner = /^([0-9]+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (owner && !isProcessAlive(Number(owner[1])))
      await fs.rm(path.join(path.dirname(file), name), { force: true }).catch(() => {});
  }
}

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const folder = path.dirname(file);
  const temp = tempPath(file);
  try {
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    await removeAbandonedTempFiles(file);
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await syncFolder(folder);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw describeWriteError(file, error);
  }
}

export async function removeFileDurably(file: string): Promise<void> {
  try {
    await fs.rm(file, { force: true });
    await syncFolder(path.dirname(file));
  } catch (error) {
    throw describeWriteError(file, error);
  }
}

export function describeWriteError(file: string, error: unknown): KagiError {
  if (error instanceof KagiError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (code ?? 'unknown error');
  return new KagiError('write-failed', `could not write ${file}: ${why}; nothing was changed`, {
    hint: 'free space or fix permissions, then run the command again',
    cause: error,
  });
}
