import { Command, Option } from 'clipanion';
import { confirm } from '../../io/confirm.js';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class EnvDelCommand extends KagiCommand {
  static override paths = [['env', 'del']];
  static override usage = Command.Usage({
    category: 'Environments',
    description: 'delete an environment and all its secrets',
    details:
      "Asks you to type the environment's name on a terminal. The default environment cannot be deleted.",
    examples: [['Delete staging', 'git kagi env del staging']],
  });

  name = Option.String({ name: 'name' });

  async perform(rt: Runtime) {
    const { planEnvDeletion } = await import('../../operations/envs/delete-env.js');
    const plan = await planEnvDeletion(rt, this.name);
    await confirm(rt.terminal, {
      offTerminal: {
        message: `deleting environment ${this.name} needs a confirmation on a terminal`,
        hint: 'run it in a terminal',
      },
      question: `This deletes every secret of ${this.name}. Type its name to confirm: `,
      expect: this.name,
      aborted: 'the name did not match; nothing was deleted',
    });
    await plan.apply();
    writeErr(
      `Deleted environment ${this.name}${plan.scopes.length ? ` (${plan.scopes.join(', ')})` : ''}`,
    );
    return 0;
  }
}
