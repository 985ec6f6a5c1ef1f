import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class SetCommand extends KagiCommand {
  static override paths = [['set']];
  static positionals = '[service] [env] KEY [value]';
  static override usage = Command.Usage({
    description: 'set one secret',
    details: `
      \`git kagi set [service] [env] KEY [value]\`. Without a value it reads standard input, or asks
      without echo on a terminal, so the value stays out of your shell history.

      At the root, \`set api KEY\` writes api/<default env> and \`set production KEY\` the project-wide
      production scope; inside a nested service folder the service is implied.
    `,
    examples: [
      ['Ask for the value without echo', 'git kagi set api DATABASE_URL'],
      ['Set a production value from a file', 'git kagi set api production STRIPE_KEY < key.txt'],
      ['Project-wide value for every service', 'git kagi set LOG_LEVEL debug'],
    ],
  });

  service = serviceOption();
  env = envOption();
  args = Option.Rest({ name: 'service env KEY value' });

  async perform(rt: Runtime) {
    const { performSet } = await import('../bundles/set.js');
    return performSet({ args: this.args, service: this.service, env: this.env }, rt);
  }
}
