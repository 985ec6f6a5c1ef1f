// What makes git itself keep .kagi/ safe (DESIGN §5): the .gitattributes block, the local merge and
// diff driver config, and the hook blocks. Idempotent; uninstall removes exactly what was added.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import attributesBlock from '../../../templates/gitattributes-block.txt';
import hookBlockTemplate from '../../../templates/hook-block.txt';
import hookSnippets from '../../../templates/hook-snippets.txt';
import { removeMarkedBlock, upsertMarkedBlock } from '../../core/marked-block.js';
import { pathExists, readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { type Repository, readGitConfig, runGit } from '../../io/git.js';

export const HOOKS = ['pre-commit', 'post-checkout', 'post-merge'] as const;
export type HookName = (typeof HOOKS)[number];

/** Never `cachetextconv`: git would store the decrypted text as objects (DESIGN §5.1). */
export const DRIVER_CONFIG: ReadonlyArray<[string, string]> = [
  ['merge.kagi-access.name', 'git-kagi access.json merge'],
  ['merge.kagi-access.driver', 'git kagi merge-driver access %O %A %B %P'],
  ['merge.kagi-store.name', 'git-kagi store merge'],
  ['merge.kagi-store.driver', 'git kagi merge-driver store %O %A %B %P'],
  ['diff.kagi.textconv', 'git kagi textconv'],
];

export type HookManager = 'git' | 'husky' | 'lefthook' | 'pre-commit';

export interface HookPlace {
  name: HookName;
  file: string;
  installed: boolean;
}

export interface SetupStatus {
  attributes: boolean;
  drivers: Array<{ key: string; expected: string; actual: string | null }>;
  manager: HookManager;
  hooks: HookPlace[];
}

export function renderHookBlock(hook: HookName): string {
  return hookBlockTemplate.replaceAll('__HOOK__', hook);
}

export async function detectHookManager(repo: Repository): Promise<HookManager> {
  const hooksPath = await readGitConfig('core.hooksPath', repo.root);
  if (
    hooksPath &&
    /(^|\/)\.husky(\/_)?\/?$/.test(hooksPath) &&
    pathExists(path.join(repo.root, '.husky'))
  ) {
    return 'husky';
  }
  for (const name of ['lefthook.yml', '.lefthook.yml', 'lefthook.yaml', '.lefthook.yaml']) {
    if (pathExists(path.join(repo.root, name))) return 'lefthook';
  }
  if (pathExists(path.join(repo.root, '.pre-commit-config.yaml'))) return 'pre-commit';
  return 'git';
}

/** `git rev-parse --git-path hooks` honours core.hooksPath and worktrees. */
async function findHooksDir(repo: Repository): Promise<string> {
  const result = await runGit(['rev-parse', '--git-path', 'hooks'], repo.root);
  return path.resolve(repo.root, result.stdout.trim());
}

function hookFile(
  repo: Repository,
  hooksDir: string,
  manager: HookManager,
  hook: HookName,
): string {
  // husky 9 regenerates .husky/_ on every install: the committed .husky/<hook> is the place.
  return manager === 'husky' ? path.join(repo.root, '.husky', hook) : path.join(hooksDir, hook);
}

export async function readSetupStatus(repo: Repository): Promise<SetupStatus> {
  const attributes = (await readTextOrNull(path.join(repo.root, '.gitattributes'))) ?? '';
  const configured = await runGit(
    ['config', '--local', '--get-regexp', '^(merge\\.kagi-|diff\\.kagi\\.)'],
    repo.root,
    true,
  );
  const actual = new Map<string, string>();
  for (const line of configured.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) actual.set(line.slice(0, space), line.slice(space + 1));
  }
  const manager = await detectHookManager(repo);
  const hooksDir = await findHooksDir(repo);
  const hooks: HookPlace[] = [];
  for (const name of HOOKS) {
    const file = hookFile(repo, hooksDir, manager, name);
    const text = (await readTextOrNull(file)) ?? '';
    hooks.push({
      name,
      file,
      installed:
        (manager === 'git' || manager === 'husky') && text.includes(renderHookBlock(name).trim()),
    });
  }
  return {
    attributes: attributes.includes(attributesBlock.trim()),
    drivers: DRIVER_CONFIG.map(([key, expected]) => ({
      key,
      expected,
      actual: actual.get(key) ?? null,
    })),
    manager,
    hooks,
  };
}

export interface SetupReport {
  changed: string[];
  manager: HookManager;
  /** For lefthook and pre-commit: the configuration to add by hand. */
  snippet: string | null;
}

export async function installGitSetup(repo: Repository): Promise<SetupReport> {
  const changed: string[] = [];
  const attributesFile = path.join(repo.root, '.gitattributes');
  const before = (await readTextOrNull(attributesFile)) ?? '';
  const after = upsertMarkedBlock(before, attributesBlock);
  if (after !== before) {
    await writeFileAtomic(attributesFile, after, 0o644);
    changed.push('.gitattributes');
  }
  const status = await readSetupStatus(repo);
  for (const { key, expected, actual } of status.drivers) {
    if (actual !== expected) {
      await runGit(['config', '--local', key, expected], repo.root);
      changed.push(`git config ${key}`);
    }
  }
  if (status.manager === 'lefthook' || status.manager === 'pre-commit') {
    return { changed, manager: status.manager, snippet: hookSnippets };
  }
  for (const hook of status.hooks) {
    if (hook.installed) continue;
    const existing = await readTextOrNull(hook.file);
    await writeFileAtomic(hook.file, insertHookBlock(existing, renderHookBlock(hook.name)), 0o755);
    await fs.chmod(hook.file, 0o755);
    changed.push(path.relative(repo.root, hook.file) || hook.file);
  }
  return { changed, manager: status.manager, snippet: null };
}

/** The block goes first (after a shebang), so an existing hook keeps running after it. */
export function insertHookBlock(existing: string | null, block: string): string {
  if (existing === null || existing.trim() === '') return `#!/bin/sh\n${block.trimEnd()}\n`;
  const cleaned = removeMarkedBlock(existing, block);
  if (cleaned.startsWith('#!')) {
    const end = cleaned.indexOf('\n');
    const shebang = end === -1 ? cleaned : cleaned.slice(0, end);
    const rest = end === -1 ? '' : cleaned.slice(end + 1);
    return `${shebang}\n${block.trimEnd()}\n${rest}`;
  }
  return `${block.trimEnd()}\n${cleaned}`;
}

export async function uninstallGitSetup(repo: Repository): Promise<string[]> {
  const removed: string[] = [];
  const status = await readSetupStatus(repo);
  for (const hook of status.hooks) {
    const text = await readTextOrNull(hook.file);
    if (text === null) continue;
    const rest = removeMarkedBlock(text, renderHookBlock(hook.name));
    if (rest === text) continue;
    if (rest.trim() === '' || rest.trim() === '#!/bin/sh') await fs.rm(hook.file, { force: true });
    else await writeFileAtomic(hook.file, rest, 0o755);
    removed.push(path.relative(repo.root, hook.file) || hook.file);
  }
  for (const { key, actual } of status.drivers) {
    if (actual === null) continue;
    await runGit(['config', '--local', '--unset', key], repo.root, true);
    removed.push(`git config ${key}`);
  }
  const attributesFile = path.join(repo.root, '.gitattributes');
  const text = await readTextOrNull(attributesFile);
  if (text !== null) {
    const rest = removeMarkedBlock(text, attributesBlock);
    if (rest !== text) {
      if (rest.trim() === '') await fs.rm(attributesFile, { force: true });
      else await writeFileAtomic(attributesFile, rest, 0o644);
      removed.push('.gitattributes');
    }
  }
  return removed;
}

function markerPath(repo: Repository): string {
  return path.join(repo.commonDir, 'kagi', 'setup');
}

export async function writeSetupMarker(
  repo: Repository,
  state: 'installed' | 'uninstalled',
): Promise<void> {
  await writeFileAtomic(markerPath(repo), `${state}\n`, 0o600);
}

/**
 * The first git kagi command in a fresh clone installs the drivers and hooks (with a one-line
 * notice); a marker in the common git dir makes every later check one stat, and remembers an
 * uninstall so it is never undone behind the user's back.
 */
export async function ensureGitSetup(
  repo: Repository,
  notice: (message: string) => void,
): Promise<void> {
  if (pathExists(markerPath(repo))) return;
  const report = await installGitSetup(repo);
  await writeSetupMarker(repo, 'installed');
  if (report.changed.length > 0) {
    notice(
      `git-kagi: set up the merge drivers, diff driver and hooks of this clone (see \`git kagi hooks status\`)`,
    );
  }
}
