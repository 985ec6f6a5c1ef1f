// The device's part of `git kagi doctor`: its identity and the modes of $KAGI_HOME's files, which
// `doctor --fix` tightens; and the shape of every check doctor reports.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseIdentityFile } from '../../crypto/age.js';
import { identityPath, resolveKagiHome } from '../../io/kagi-home.js';
import type { Runtime } from '../../runtime.js';
import { findKeyVariable } from '../project/work-tree-kagi.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  /** A failure of the data itself (tampering, stale or undecryptable lines): exit 4. */
  integrity?: boolean;
}

export const FIX = 'git kagi doctor --fix';

/** `~/…` for paths below HOME, as people write them. */
export function displayPath(rt: Runtime, file: string): string {
  const home = rt.env.HOME;
  if (home && (file === home || file.startsWith(`${home}/`))) return `~${file.slice(home.length)}`;
  return file;
}

async function modeOf(file: string): Promise<number | null> {
  const stat = await fs.lstat(file).catch(() => null);
  return stat ? stat.mode & 0o777 : null;
}

function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** Files of $KAGI_HOME whose mode lets others read them (DESIGN §3: files 0600, folders 0700). */
export async function findLooseModes(
  home: string,
): Promise<Array<{ file: string; mode: number; want: number }>> {
  const loose: Array<{ file: string; mode: number; want: number }> = [];
  const consider = async (file: string, want: number) => {
    const stat = await fs.lstat(file).catch(() => null);
    if (!stat || stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    if (mode & 0o077) loose.push({ file, mode, want });
  };
  await consider(home, 0o700);
  await consider(identityPath(home), 0o600);
  const projects = path.join(home, 'projects');
  await consider(projects, 0o700);
  for (const name of await fs.readdir(projects).catch(() => [] as string[]))
    await consider(path.join(projects, name), 0o600);
  return loose;
}

export async function checkDevice(rt: Runtime): Promise<Check[]> {
  const home = resolveKagiHome(rt.env);
  const file = identityPath(home);
  const checks: Check[] = [];
  const mode = await modeOf(file);
  const variable = findKeyVariable(rt);
  if (mode === null) {
    checks.push(
      variable
        ? {
            name: 'identity',
            status: 'ok',
            detail: `none in ${displayPath(rt, home)} (not needed: the key comes from ${variable})`,
          }
        : {
            name: 'identity',
            status: 'fail',
            detail: `this device has no identity (${displayPath(rt, file)})`,
            fix: 'git kagi join --name <you>, then ask an active member to approve you',
          },
    );
  } else {
    const text = await fs.readFile(file, 'utf8').catch(() => null);
    if (text === null || parseIdentityFile(text) === null) {
      checks.push({
        name: 'identity',
        status: 'fail',
        detail: `${displayPath(rt, file)} holds no age identity`,
        fix: 'restore it from a backup; if it is lost, move it aside and run `git kagi join` to get access again',
      });
    } else {
      checks.push({ name: 'identity', status: 'ok', detail: displayPath(rt, file) });
    }
  }
  for (const loose of await findLooseModes(home)) {
    checks.push({
      name: 'home',
      status: 'fail',
      detail: `${displayPath(rt, loose.file)} has mode ${formatMode(loose.mode)}; it must be ${formatMode(loose.want)} (only you may read it)`,
      fix: FIX,
    });
  }
  return checks;
}
