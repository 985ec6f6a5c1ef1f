import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeOut } from './base.js';

export class StatusCommand extends KagiCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: "show the project, this folder's scope, this device's membership and key source",
    examples: [['Where am I, and can I read secrets?', 'git kagi status']],
  });

  json = Option.Boolean('--json', false, { description: 'machine-readable output' });

  async perform(rt: Runtime) {
    const { showStatus } = await import('../operations/diagnostics/show-status.js');
    const s = await showStatus(rt);
    if (this.json) {
      writeOut(JSON.stringify(s, null, 2));
      return 0;
    }
    writeOut(
      [
        `project:    ${s.project_id} (${s.root})`,
        `key epoch:  ${s.epoch}`,
        `scope here: ${s.scope}`,
        `device:     ${s.device.recipient ?? 'no identity'} (${s.device.home})`,
        `member:     ${s.device.member_id ? `${s.device.member_id} (${s.device.member_status})` : 'not a member'}`,
        `key source: ${s.key.access ? s.key.source : 'none'}${s.key.problem ? ` — ${s.key.problem}` : ''}`,
      ].join('\n'),
    );
    return s.key.access ? 0 : 3;
  }
}
