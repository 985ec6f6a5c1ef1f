import { Command, Option } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class EnvAddCommand extends KagiCommand {
  static override paths = [['env', 'add']];
  static override usage = Command.Usage({
    category: 'Environments',
    description: 'add an environment',
    examples: [['Add a staging environment', 'git kagi env add staging']],
  });

  name = Option.String({ name: 'name' });

  async perform(rt: Runtime) {
    const { addEnv } = await import('../../operations/envs/add-env.js');
    await addEnv(rt, this.name);
    writeErr(`Added environment ${this.name}`);
    return 0;
  }
}
