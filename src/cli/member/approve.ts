import { Command, Option } from 'clipanion';
import { formatMemberName } from '../../core/access.js';
import { confirm } from '../../io/confirm.js';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class MemberApproveCommand extends KagiCommand {
  static override paths = [['member', 'approve']];
  static override usage = Command.Usage({
    category: 'Members',
    description: 'give a pending member access',
    details:
      'Shows the name and recipient fingerprint, asks on a terminal (or takes --yes), then wraps the root key to that member alone and seals the entry. Compare the fingerprint with the one the member told you.',
    examples: [['Approve a join request', 'git kagi member approve kgm_Xq3…']],
  });

  id = Option.String({ name: 'member-id' });
  yes = Option.Boolean('--yes,-y', false, { description: 'do not ask (scripts)' });

  async perform(rt: Runtime) {
    const { planApproval } = await import('../../operations/team/approve-member.js');
    const plan = await planApproval(rt, this.id);
    const name = formatMemberName(plan.member.name);
    writeErr(`Member ${plan.member.id}: ${name}`);
    writeErr(`  fingerprint: ${plan.fingerprint}`);
    writeErr(`  requested:   ${plan.member.requested_at}`);
    if (!this.yes) {
      await confirm(rt.terminal, {
        offTerminal: {
          message: 'approving needs a confirmation on a terminal',
          hint: 'run it in a terminal, or pass --yes',
        },
        question: `Give ${name} access to every secret of this project? [y/N] `,
        expect: 'y',
        aborted: 'nothing was changed',
      });
    }
    await plan.apply();
    writeErr(`Approved ${plan.member.id} (${name}). Commit and push .kagi/access.json.`);
    return 0;
  }
}
