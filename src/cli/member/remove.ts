import { Command, Option } from 'clipanion';
import { formatMemberName } from '../../core/access.js';
import { confirm } from '../../io/confirm.js';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr, writeOut } from '../base.js';

export class MemberRemoveCommand extends KagiCommand {
  static override paths = [['member', 'remove']];
  static override usage = Command.Usage({
    category: 'Members',
    description: 'remove a member and rotate the key',
    details: `
      Marks the member removed and rotates the root key, so nothing written afterwards is
      readable with what they held. Asks you to type the member id on a terminal (or takes
      --yes). It lists every secret the member could read: change those at their source too.
      The last active member cannot be removed.
    `,
    examples: [['Remove a member', 'git kagi member remove kgm_Xq3…']],
  });

  id = Option.String({ name: 'member-id' });
  yes = Option.Boolean('--yes,-y', false, { description: 'do not ask (scripts)' });

  async perform(rt: Runtime) {
    const { planRemoval } = await import('../../operations/team/remove-member.js');
    const plan = await planRemoval(rt, this.id);
    const name = formatMemberName(plan.member.name);
    if (!this.yes) {
      await confirm(rt.terminal, {
        offTerminal: {
          message: 'removing a member needs a confirmation on a terminal',
          hint: 'run it in a terminal, or pass --yes',
        },
        preface: `This removes ${name} (${plan.member.id}) and rotates the key.`,
        question: 'Type the member id to confirm: ',
        expect: plan.member.id,
        aborted: 'the id did not match; nothing was changed',
      });
    }
    const result = await plan.apply();
    writeErr(`Removed ${name} (${plan.member.id}); the key is now at epoch ${result.epoch}.`);
    if (plan.exposed.length > 0) {
      writeErr(`${name} could read these secrets; change them at their source:`);
      writeOut(plan.exposed.join('\n'));
    }
    writeErr('Commit and push .kagi/ now.');
    return 0;
  }
}
