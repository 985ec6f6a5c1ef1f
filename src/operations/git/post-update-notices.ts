import path from 'node:path';
import { formatMemberName } from '../../core/access.js';
import { KagiError } from '../../errors.js';
import { pathExists, readTextOrNull, writeFileAtomic } from '../../io/atomic-file.js';
import { readDeviceIdentityFile, resolveKagiHome } from '../../io/kagi-home.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import { countStaleLines, findMemberByRecipient } from '../project/read-project.js';

export async function collectPostUpdateNotices(
  rt: Runtime,
  hook: 'post-checkout' | 'post-merge',
): Promise<string[]> {
  let project: Awaited<ReturnType<typeof openProject>>;
  try {
    project = await openProject(rt);
  } catch (error) {
    if (
      error instanceof KagiError &&
      (error.code === 'no-project' || error.code === 'not-a-repository')
    )
      return [];
    throw error;
  }
  const notices: string[] = [];
  // Counting reads the stores without decrypting; the repair code loads only when it has work.
  const stale = hook === 'post-merge' ? await countStaleLines(project) : 0;
  if (stale > 0) {
    const { repairStaleLinesAfterMerge } = await import('../project/stale-lines.js');
    notices.push(...(await repairStaleLinesAfterMerge(rt, project, stale)));
  }
  const home = resolveKagiHome(rt.env);
  const identityText = await readDeviceIdentityFile(home);
  const recipient = /^# public key: (age1[0-9a-z]+)$/m.exec(identityText ?? '')?.[1];
  if (!recipient) return notices;
  const { access } = project;
  const me = findMemberByRecipient(access, recipient);
  if (!me) return notices;
  const seenFile = path.join(home, 'projects', `${access.project_id}.seen`);
  const seen = new Set<string>(JSON.parse((await readTextOrNull(seenFile)) ?? '[]') as string[]);
  const remember: string[] = [];
  if (me.status === 'active' && !seen.has(`granted:${me.id}`)) {
    remember.push(`granted:${me.id}`);
    const pinned = pathExists(path.join(home, 'projects', `${access.project_id}.pin`));
    if (!pinned)
      notices.push(
        `git-kagi: you (${me.id}) were granted access to the secrets of this project; try \`git kagi get\``,
      );
  }
  if (me.status === 'active') {
    const fresh = access.members.filter(
      (m) => m.status === 'pending' && !seen.has(`pending:${m.id}`),
    );
    for (const m of fresh) {
      remember.push(`pending:${m.id}`);
      notices.push(
        `git-kagi: ${formatMemberName(m.name)} (${m.id}) asks for access: git kagi member approve ${m.id}`,
      );
    }
  }
  if (remember.length > 0) {
    await writeFileAtomic(seenFile, `${JSON.stringify([...seen, ...remember])}\n`, 0o600).catch(
      () => {},
    );
  }
  return notices;
}
