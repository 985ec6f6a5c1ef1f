// The device's own state in $KAGI_HOME (DESIGN §3): the age identity, the cached root key per
// project and the pinned (epoch, key_id). Files 0600, folders 0700; never in the repository.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readTextOrNull, writeFileAtomic } from './atomic-file.js';

export interface Pin {
  epoch: number;
  key_id: string;
  /** This device's member id in the project, so the key cache needs no age code to know it. */
  member_id?: string | undefined;
  /** Key ids of this and earlier epochs, from a verified history: older checkouts must match. */
  known?: Record<string, string> | undefined;
}

export function resolveKagiHome(env: Readonly<Record<string, string | undefined>>): string {
  if (env.KAGI_HOME) return path.resolve(env.KAGI_HOME);
  // node:os is loaded only without HOME: it costs every start 0.2 ms (bench case 1).
  const homeDir = env.HOME || process.getBuiltinModule('node:os').homedir();
  const base = env.XDG_CONFIG_HOME || path.join(homeDir, '.config');
  return path.join(base, 'git-kagi');
}

export function identityPath(home: string): string {
  return path.join(home, 'identity.txt');
}

async function ensureHome(home: string): Promise<void> {
  await fs.mkdir(path.join(home, 'projects'), { recursive: true, mode: 0o700 });
  await fs.chmod(home, 0o700);
}

export async function readDeviceIdentityFile(home: string): Promise<string | null> {
  return readTextOrNull(identityPath(home));
}

/** Writes the identity in age's own file format (what age-keygen writes). */
export async function writeDeviceIdentity(
  home: string,
  identity: string,
  recipient: string,
  now: Date,
): Promise<void> {
  await ensureHome(home);
  const text = `# created: ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  await writeFileAtomic(identityPath(home), text, 0o600);
}

export async function readCachedKey(home: string, projectId: string): Promise<string | null> {
  return readTextOrNull(path.join(home, 'projects', `${projectId}.key`));
}

export async function writeCachedKey(home: string, projectId: string, hex: string): Promise<void> {
  await ensureHome(home);
  await writeFileAtomic(path.join(home, 'projects', `${projectId}.key`), `${hex}\n`, 0o600);
}

export async function readPin(home: string, projectId: string): Promise<Pin | null> {
  const text = await readTextOrNull(path.join(home, 'projects', `${projectId}.pin`));
  if (text === null) return null;
  try {
    const pin = JSON.parse(text) as Pin;
    if (Number.isSafeInteger(pin.epoch) && typeof pin.key_id === 'string') return pin;
  } catch {}
  return null;
}

export async function writePin(home: string, projectId: string, pin: Pin): Promise<void> {
  await ensureHome(home);
  await writeFileAtomic(
    path.join(home, 'projects', `${projectId}.pin`),
    `${JSON.stringify({ epoch: pin.epoch, key_id: pin.key_id, member_id: pin.member_id, known: pin.known })}\n`,
    0o600,
  );
}
