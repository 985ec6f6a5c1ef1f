import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class GetCommand extends KagiCommand {
  static override paths = [['get']];
  static positionals = '[service] [env] [KEY]';
  static override usage = Command.Usage({
    description: 'list secrets (masked), or reveal one',
    details: `
      \`git kagi get [service] [env]\` lists services, envs and secret names with masked values and
      when and by whom each was last set; project-wide secrets a service inherits are marked.
      \`get [service] [env] KEY\` prints one value, and \`--show\` reveals the listing: both ask for
      \`y\` on a terminal and refuse without one. \`--json\` gives the masked listing for scripts.
    `,
    examples: [
      ['Everything, masked', 'git kagi get'],
      ['One service in production', 'git kagi get api production'],
      ['Reveal one value', 'git kagi get api DATABASE_URL'],
      ['Masked listing for scripts', 'git kagi get --json'],
    ],
  });

  service = serviceOption();
  env = envOption();
  show = Option.Boolean('--show', false, { description: 'reveal values (asks on a terminal)' });
  json = Option.Boolean('--json', false, {
    description: 'machine-readable listing (values masked unless --show)',
  });
  args = Option.Rest({ name: 'service env KEY' });

  async perform(rt: Runtime) {
    const { performGet } = await import('../bundles/get.js');
    return performGet(
      { args: this.args, service: this.service, env: this.env, show: this.show, json: this.json },
      rt,
    );
  }
}
