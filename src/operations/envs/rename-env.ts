// `git kagi env rename`: environment keys derive from the name (DESIGN §3), so every scope of the
// env is re-encrypted; new stores are written before the old ones go, so a crash loses nothing.
import { formatScope, formatScopePath, type Scope } from '../../core/scope.js';
import { compareTags, formatStore, type StoreLine } from '../../core/store.js';
import { decryptSecret, encryptSecret } from '../../crypto/secret-line.js';
import { usageError } from '../../errors.js';
import { removeFileDurably, writeFileAtomic } from '../../io/atomic-file.js';
import { withLock } from '../../io/lock.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import { listScopes, readStoreLines, storePath, writeKagiConfig } from '../project/read-project.js';
import { lineContext } from '../project/stores.js';
import { assertWritable, unlockProject } from '../project/unlock-project.js';
import { assertNewEnvName } from './add-env.js';

export async function renameEnv(
  rt: Runtime,
  from: string,
  to: string,
): Promise<{ scopes: string[] }> {
  const project = await openProject(rt);
  if (!project.config.envs.includes(from))
    throw usageError(`unknown environment '${from}'`, 'see `git kagi env list`');
  await assertNewEnvName(project, to);
  const unlocked = await unlockProject(rt, project);
  assertWritable(unlocked);
  return withLock(project.repo.gitDir, async () => {
    const scopes = listScopes(project).filter((s) => s.env === from);
    const fromKeys = unlocked.keys.env(from);
    const toKeys = unlocked.keys.env(to);
    // New stores first, then kagi.json, then the old stores: a crash leaves every value readable.
    for (const scope of scopes) {
      const target: Scope = { service: scope.service, env: to };
      const where = `.kagi/${formatScopePath(scope)}`;
      const lines: StoreLine[] = (await readStoreLines(project, scope))
        .map((line) => decryptSecret(fromKeys, lineContext(project, scope), line, where))
        .map((record) => encryptSecret(toKeys, lineContext(project, target), record))
        .sort(compareTags);
      await writeFileAtomic(storePath(project, target), formatStore(formatScope(target), lines));
    }
    project.config.envs = project.config.envs.map((e) => (e === from ? to : e));
    if (project.config.default_env === from) project.config.default_env = to;
    await writeKagiConfig(project);
    for (const scope of scopes) await removeFileDurably(storePath(project, scope));
    return {
      scopes: scopes.map(
        (s) => `${formatScope(s)} → ${formatScope({ service: s.service, env: to })}`,
      ),
    };
  });
}
