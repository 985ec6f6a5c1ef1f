import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class UnsetCommand extends KagiCommand {
  static override paths = [['unset']];
  static positionals = '[service] [env] KEY';
  static override usage = Command.Usage({
    description: 'remove one secret',
    details: '`git kagi unset [service] [env] KEY` removes KEY from that one scope.',
    examples: [['Remove a production secret', 'git kagi unset api production OLD_TOKEN']],
  });

  service = serviceOption();
  env = envOption();
  args = Option.Rest({ name: 'service env KEY' });

  async perform(rt: Runtime) {
    const { openTarget } = await import('../operations/project/target.js');
    const target = await openTarget(rt, {
      args: this.args,
      tail: { min: 1, max: 1 },
      allowNewService: false,
      service: this.service,
      env: this.env,
    });
    const { unsetSecret } = await import('../operations/secrets/unset-secret.js');
    const result = await unsetSecret(rt, target, target.rest[0] as string);
    writeErr(`Removed ${result.name} from ${result.scope}`);
    return 0;
  }
}
