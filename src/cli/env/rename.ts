import { Command, Option } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class EnvRenameCommand extends KagiCommand {
  static override paths = [['env', 'rename']];
  static override usage = Command.Usage({
    category: 'Environments',
    description: 'rename an environment (re-encrypts its scopes)',
    details:
      'Every scope of the environment is re-encrypted under the new name; the default moves with it.',
    examples: [['Rename dev to development', 'git kagi env rename dev development']],
  });

  from = Option.String({ name: 'old' });
  to = Option.String({ name: 'new' });

  async perform(rt: Runtime) {
    const { renameEnv } = await import('../../operations/envs/rename-env.js');
    const result = await renameEnv(rt, this.from, this.to);
    writeErr(`Renamed environment ${this.from} to ${this.to}`);
    for (const line of result.scopes) writeErr(`  ${line}`);
    return 0;
  }
}
