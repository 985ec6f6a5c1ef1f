// `git kagi status`: the project, the scope the current folder implies, this device's membership
// and where the key comes from, with the reason when there is no access.
import { inferServiceFromFolder } from '../../core/kagi-config.js';
import { formatScope } from '../../core/scope.js';
import { identityToRecipient, parseIdentityFile } from '../../crypto/age.js';
import { KagiError } from '../../errors.js';
import { readDeviceIdentityFile, resolveKagiHome } from '../../io/kagi-home.js';
import type { Runtime } from '../../runtime.js';
import { openProject } from '../project/open-project.js';
import { findMemberByRecipient } from '../project/read-project.js';
import { unlockProject } from '../project/unlock-project.js';

export interface Status {
  root: string;
  project_id: string;
  epoch: number;
  scope: string;
  device: {
    home: string;
    recipient: string | null;
    member_id: string | null;
    member_status: string | null;
  };
  key: { source: string | null; access: boolean; problem: string | null };
}

export async function showStatus(rt: Runtime): Promise<Status> {
  const project = await openProject(rt);
  const service = inferServiceFromFolder(project.config, project.repo.prefix);
  const home = resolveKagiHome(rt.env);
  const text = await readDeviceIdentityFile(home);
  let recipient: string | null = null;
  if (text !== null) {
    const identity = parseIdentityFile(text);
    recipient = identity ? await identityToRecipient(identity) : null;
  }
  const member = recipient ? findMemberByRecipient(project.access, recipient) : undefined;
  const status: Status = {
    root: project.repo.root,
    project_id: project.config.project_id,
    epoch: project.access.epoch,
    scope: formatScope({ service, env: project.config.default_env }),
    device: {
      home,
      recipient,
      member_id: member?.id ?? null,
      member_status: member?.status ?? null,
    },
    key: { source: null, access: false, problem: null },
  };
  try {
    const unlocked = await unlockProject(rt, project);
    status.key = { source: unlocked.source.kind, access: true, problem: unlocked.readOnly };
  } catch (error) {
    if (!(error instanceof KagiError)) throw error;
    status.key.problem = error.message;
  }
  return status;
}
