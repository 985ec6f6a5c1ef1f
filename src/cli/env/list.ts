import { Command, Option } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeOut } from '../base.js';

export class EnvListCommand extends KagiCommand {
  static override paths = [['env', 'list'], ['env']];
  static override usage = Command.Usage({
    category: 'Environments',
    description: 'list environments and their scopes',
    examples: [['List environments', 'git kagi env list']],
  });

  json = Option.Boolean('--json', false, { description: 'machine-readable output' });

  async perform(rt: Runtime) {
    const { listEnvs } = await import('../../operations/envs/list-envs.js');
    const envs = await listEnvs(rt);
    if (this.json) writeOut(JSON.stringify(envs, null, 2));
    else
      writeOut(
        envs
          .map((e) => `${e.name}${e.default ? ' (default)' : ''}  ${e.scopes.join(' ')}`)
          .join('\n'),
      );
    return 0;
  }
}
