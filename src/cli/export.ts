import { Command, Option } from 'clipanion';
import { confirm } from '../io/confirm.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class ExportCommand extends KagiCommand {
  static override paths = [['export']];
  static positionals = '[service] [env]';
  static override usage = Command.Usage({
    description: 'write plaintext .env files',
    details: `
      \`git kagi export [service] [env] --out DIR\` writes one \`.env.<env>\` per environment of the
      scope into DIR (mode 0600), with the scope's own secrets, in a form that dotenv parsers read
      back exactly. It asks on a terminal first, never overwrites without \`--force\`, and warns when
      git would not ignore the file.
    `,
    examples: [
      ['Every env of the api into ./out', 'git kagi export api --out out'],
      [
        'Only production, replacing an older export',
        'git kagi export api production --out /tmp/x --force',
      ],
    ],
  });

  service = serviceOption();
  env = envOption();
  out = Option.String('--out,-o', { required: true, description: 'the folder to write into' });
  force = Option.Boolean('--force', false, { description: 'overwrite existing files' });
  args = Option.Rest({ name: 'service env' });

  async perform(rt: Runtime) {
    const { openTarget } = await import('../operations/project/target.js');
    const target = await openTarget(rt, {
      args: this.args,
      tail: { min: 0, max: 0 },
      allowNewService: false,
      service: this.service,
      env: this.env,
    });
    const { planExport, writeExport } = await import('../operations/secrets/export-dotenv.js');
    const files = await planExport(rt, target, this.out, this.force);
    await confirm(rt.terminal, {
      offTerminal: {
        message: 'export writes secret values in plaintext and needs a confirmation on a terminal',
        hint: 'run it in a terminal; programs can get secrets without a file through `git kagi run`',
      },
      question: `Write plaintext secrets to ${files.map((f) => f.file).join(', ')}? [y/N] `,
      expect: 'y',
      aborted: 'nothing was written',
    });
    for (const f of await writeExport(rt, target, files)) {
      writeErr(`Wrote ${f.count} secret(s) of ${f.scope} to ${f.file}`);
      if (!f.ignored)
        writeErr(`warning: git does not ignore ${f.file}: do not commit it (add it to .gitignore)`);
    }
    return 0;
  }
}
