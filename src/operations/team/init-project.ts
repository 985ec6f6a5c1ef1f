// `git kagi init`: a new project with this device as its single active, sealed member (DESIGN §2–4).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import gitignoreBlock from '../../../templates/gitignore-block.txt';
import { type AccessFile, formatAccess, type Member } from '../../core/access.js';
import { formatKagiConfig, type KagiConfig, type Nested } from '../../core/kagi-config.js';
import { upsertMarkedBlock } from '../../core/marked-block.js';
import { parseEnvName, parseServiceName } from '../../core/names.js';
import { formatScope, formatScopePath, type Scope } from '../../core/scope.js';
import { formatStore } from '../../core/store.js';
import { deriveProjectKeys, formatRootKey, generateRootKey, newId } from '../../crypto/keys.js';
import { KagiError, usageError } from '../../errors.js';
import { pathExists, readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { findRepository, readGitConfig } from '../../io/git.js';
import { resolveKagiHome, writeCachedKey, writePin } from '../../io/kagi-home.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { ensureDeviceIdentity } from '../project/device-identity.js';
import { sealMember } from '../project/members.js';
import { installGitSetup, writeSetupMarker } from '../project/setup-git.js';

export const DEFAULT_ENVS = ['development', 'test', 'production'];

export interface InitInput {
  /** undefined: not nested; true: first folder is the service; list: those folders. */
  nested?: true | string[];
  envs?: string[];
  force: boolean;
  name?: string;
}

export interface InitResult {
  root: string;
  projectId: string;
  memberId: string;
  envs: string[];
  scopes: string[];
  createdIdentity: boolean;
  /** For lefthook and pre-commit users: the hook configuration to add by hand. */
  hookSnippet: string | null;
}

export async function initProject(rt: Runtime, input: InitInput): Promise<InitResult> {
  const repo = await findRepository(rt.cwd);
  const kagiDir = path.join(repo.root, '.kagi');
  const envs = input.envs ?? ['development'];
  for (const env of envs) parseEnvName(env);
  if (new Set(envs).size !== envs.length)
    throw usageError('an environment is listed twice in --envs');
  const nested = parseNested(input.nested, envs);
  const services = typeof nested === 'object' ? [...new Set(Object.values(nested))] : [];

  return withLock(repo.gitDir, async () => {
    const exists = pathExists(kagiDir);
    if (exists && !input.force) {
      throw new KagiError('already-initialised', `${repo.root} already has a .kagi/ folder`, {
        hint: 'use it as it is (`git kagi status`), or start over with `git kagi init --force` (existing secrets become unreadable)',
      });
    }
    const home = resolveKagiHome(rt.env);
    const device = await ensureDeviceIdentity(home, rt.now());
    const projectId = newId('kgp_');
    const root = generateRootKey();
    const keys = deriveProjectKeys(root);
    const now = rt.now().toISOString();
    const name =
      input.name ?? (await readGitConfig('user.name', repo.root)) ?? rt.env.USER ?? 'owner';
    const memberId = newId('kgm_');
    const member: Member = await sealMember(
      {
        id: memberId,
        name,
        recipient: device.recipient,
        status: 'active',
        requested_at: now,
        approved_by: memberId,
        approved_at: now,
      },
      keys,
      projectId,
      1,
    );
    const access: AccessFile = {
      format: 'git-kagi/1',
      project_id: projectId,
      epoch: 1,
      key_id: keys.keyId,
      history: [],
      members: [member],
    };
    const config: KagiConfig = {
      format: 'git-kagi/1',
      project_id: projectId,
      envs,
      default_env: envs.includes('development') ? 'development' : (envs[0] as string),
      nested,
    };

    if (exists) await fs.rm(kagiDir, { recursive: true, force: true });
    const scopes: Scope[] = envs.flatMap((env) => [
      { service: null, env },
      ...services.map((service) => ({ service, env })),
    ]);
    for (const scope of scopes) {
      await writeFileAtomic(
        path.join(kagiDir, formatScopePath(scope)),
        formatStore(formatScope(scope), []),
      );
    }
    await writeFileAtomic(path.join(kagiDir, 'access.json'), formatAccess(access));
    // kagi.json last: its presence is what makes the folder a project.
    await writeFileAtomic(path.join(kagiDir, 'kagi.json'), formatKagiConfig(config));
    const gitignore = path.join(repo.root, '.gitignore');
    const before = (await readTextOrNull(gitignore)) ?? '';
    const after = upsertMarkedBlock(before, gitignoreBlock);
    if (after !== before) await writeFileAtomic(gitignore, after, 0o644);
    const setup = await installGitSetup(repo);
    await writeSetupMarker(repo, 'installed');

    await writeCachedKey(home, projectId, formatRootKey(root));
    await writePin(home, projectId, { epoch: 1, key_id: keys.keyId, member_id: memberId });
    return {
      root: repo.root,
      projectId,
      memberId,
      envs,
      scopes: scopes.map(formatScope),
      createdIdentity: device.created,
      hookSnippet: setup.snippet,
    };
  });
}

function parseNested(nested: InitInput['nested'], envs: string[]): Nested {
  if (nested === undefined) return false;
  if (nested === true) return true;
  const map: Record<string, string> = {};
  for (const raw of nested) {
    const folder = raw.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
    if (folder === '' || folder.startsWith('/') || folder.split('/').includes('..')) {
      throw usageError(`--nested path '${raw}' must be a folder inside the repository`);
    }
    const service = parseServiceName(folder.split('/').at(-1) as string);
    if (envs.includes(service)) {
      throw usageError(
        `service '${service}' (from ${folder}) has the name of an environment`,
        'rename the folder or the environment',
      );
    }
    map[folder] = service;
  }
  return map;
}
