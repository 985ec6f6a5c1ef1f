import { Command, Option } from 'clipanion';
import { KagiError } from '../errors.js';
import { confirm } from '../io/confirm.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class ImportCommand extends KagiCommand {
  static override paths = [['import']];
  static positionals = '[service] [env]';
  static override usage = Command.Usage({
    description: 'import a .env file into a scope',
    details: `
      \`git kagi import [service] [env] --file F\` reads F as a .env file (\`KEY=value\`, \`export\`,
      quotes, comments; never \`$VAR\` interpolation). If any line is invalid nothing is imported
      and the error names the line. Changing an existing value needs \`--force\` or a \`y\` on a
      terminal. \`--dry-run\` shows what would change. After importing, delete the plaintext file.
    `,
    examples: [
      ['Import the api development values', 'git kagi import api --file api/.env'],
      ['See what would change', 'git kagi import api production --file .env.production --dry-run'],
    ],
  });

  service = serviceOption();
  env = envOption();
  file = Option.String('--file,-f', { required: true, description: 'the .env file to read' });
  dryRun = Option.Boolean('--dry-run', false, {
    description: 'show what would change, change nothing',
  });
  force = Option.Boolean('--force', false, {
    description: 'overwrite existing values without asking',
  });
  args = Option.Rest({ name: 'service env' });

  async perform(rt: Runtime) {
    const { openTarget } = await import('../operations/project/target.js');
    const target = await openTarget(rt, {
      args: this.args,
      tail: { min: 0, max: 0 },
      allowNewService: true,
      service: this.service,
      env: this.env,
    });
    const { planImport } = await import('../operations/secrets/import-dotenv.js');
    const { plan, apply } = await planImport(rt, target, this.file);
    const summary = `${plan.file} → ${plan.scope}: ${plan.added.length} new, ${plan.changed.length} changed, ${plan.unchanged.length} unchanged`;
    for (const name of plan.duplicates)
      writeErr(`warning: ${plan.file} sets ${name} more than once; the last one wins`);
    if (this.dryRun) {
      writeErr(`${summary} (dry run, nothing written)`);
      for (const name of plan.added) writeErr(`  + ${name}`);
      for (const name of plan.changed) writeErr(`  ~ ${name}`);
      return 0;
    }
    if (plan.changed.length > 0 && !this.force) {
      await confirm(rt.terminal, {
        offTerminal: new KagiError(
          'conflict',
          `${plan.changed.length} secret(s) in ${plan.scope} already have other values: ${plan.changed.join(', ')}`,
          {
            hint: 'pass --force to overwrite them, or --dry-run to review; nothing was imported',
          },
        ),
        question: `Overwrite ${plan.changed.join(', ')} in ${plan.scope}? [y/N] `,
        expect: 'y',
        aborted: 'nothing was imported',
      });
    }
    await apply();
    writeErr(summary);
    writeErr(`Delete the plaintext file when you no longer need it: rm ${plan.file}`);
    return 0;
  }
}
