// Reading a project as it is: the repository, kagi.json, access.json and the stores as files. No
// crypto is loaded here: hooks with nothing to do only ever need this (bench cases 5 and 11).
import { type Dirent, readdirSync } from 'node:fs';
import path from 'node:path';
import { type AccessFile, type Member, parseAccess } from '../../core/access.js';
import { formatKagiConfig, type KagiConfig, parseKagiConfig } from '../../core/kagi-config.js';
import { formatScope, formatScopePath, parseScopePath, type Scope } from '../../core/scope.js';
import { mayHaveOtherEpoch, parseStore, type StoreLine } from '../../core/store.js';
import { integrityError, KagiError } from '../../errors.js';
import { readFileIfExists, readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { locateRepository, type Repository } from '../../io/git.js';
import type { Runtime } from '../../runtime.js';

export interface Project {
  repo: Repository;
  kagiDir: string;
  config: KagiConfig;
  access: AccessFile;
}

/** Reads kagi.json and access.json as they are, without finishing anything. */
export async function readProject(rt: Runtime): Promise<Project> {
  const repo = await locateRepository(rt.cwd, rt.env);
  const kagiDir = path.join(repo.root, '.kagi');
  const configText = await readTextOrNull(path.join(kagiDir, 'kagi.json'));
  const accessText = await readTextOrNull(path.join(kagiDir, 'access.json'));
  if (configText === null) {
    throw new KagiError('no-project', `no git-kagi project in ${repo.root}`, {
      hint: 'run `git kagi init` to create one',
    });
  }
  if (accessText === null) {
    throw integrityError(
      '.kagi/access.json is missing',
      'restore it from git history (`git checkout -- .kagi/access.json`)',
    );
  }
  const config = parseKagiConfig(configText);
  const access = parseAccess(accessText);
  if (access.project_id !== config.project_id) {
    throw integrityError('.kagi/access.json belongs to another project than .kagi/kagi.json');
  }
  return { repo, kagiDir, config, access };
}

export function findMemberByRecipient(access: AccessFile, recipient: string): Member | undefined {
  return access.members.find((m) => m.recipient === recipient);
}

/** Scopes that have a store file, sorted. */
export function listScopes(project: Project): Scope[] {
  const root = path.join(project.kagiDir, 'secrets');
  const scopes: Scope[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (entry.isFile()) {
      const scope = parseScopePath(entry.name);
      if (scope) scopes.push(scope);
    } else if (entry.isDirectory()) {
      for (const inner of readdirSync(path.join(root, entry.name))) {
        const scope = parseScopePath(`${entry.name}/${inner}`);
        if (scope) scopes.push(scope);
      }
    }
  }
  return scopes.sort((a, b) => (formatScope(a) < formatScope(b) ? -1 : 1));
}

export function storePath(project: Project, scope: Scope): string {
  // Joined as it is: the scope's parts are checked names, so there is nothing to normalise.
  return `${project.kagiDir}${path.sep}${formatScopePath(scope)}`;
}

/** The lines of a scope's store; an absent store is an empty scope. */
export async function readStoreLines(project: Project, scope: Scope): Promise<StoreLine[]> {
  const text = await readTextOrNull(storePath(project, scope));
  if (text === null) return [];
  return parseStore(text, formatScope(scope), `.kagi/${formatScopePath(scope)}`);
}

/** Lines at another epoch than access.json's (a merge from before a rotation); unreadable stores count none. */
export async function countStaleLines(project: Project): Promise<number> {
  let count = 0;
  for (const scope of listScopes(project)) {
    const store = readFileIfExists(storePath(project, scope));
    // Scanned as latin1 (one byte, one character; the fields are ASCII): cheaper than UTF-8, and
    // the header's em dash would make every store a two-byte string.
    if (store === null || !mayHaveOtherEpoch(store.toString('latin1'), project.access.epoch))
      continue;
    try {
      const text = store.toString('utf8');
      const lines = parseStore(text, formatScope(scope), formatScopePath(scope));
      count += lines.filter((l) => l.epoch !== project.access.epoch).length;
    } catch {}
  }
  return count;
}

/** Services that exist: those with a store, and those nesting names. */
export function listKnownServices(project: Project, scopes: readonly Scope[]): Set<string> {
  const services = new Set<string>();
  for (const s of scopes) if (s.service !== null) services.add(s.service);
  const nested = project.config.nested;
  if (typeof nested === 'object') for (const s of Object.values(nested)) services.add(s);
  return services;
}

export async function writeKagiConfig(project: Project): Promise<void> {
  await writeFileAtomic(path.join(project.kagiDir, 'kagi.json'), formatKagiConfig(project.config));
}

/** A member by id (or an unambiguous prefix of it, as git does with commits). */
export function findMember(project: Project, id: string): Member {
  const matches = project.access.members.filter(
    (m) => m.id === id || (id.length >= 6 && m.id.startsWith(id)),
  );
  if (matches.length === 1) return matches[0] as Member;
  throw new KagiError(
    'no-member',
    matches.length === 0 ? `no member ${id} in this project` : `${id} names more than one member`,
    {
      hint: 'see `git kagi member list`',
    },
  );
}
