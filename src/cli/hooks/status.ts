import { Command, Option } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeOut } from '../base.js';

export class HooksStatusCommand extends KagiCommand {
  static override paths = [['hooks', 'status'], ['hooks']];
  static override usage = Command.Usage({
    category: 'Git integration',
    description: 'show which drivers and hooks are in place',
    examples: [['Check the git integration', 'git kagi hooks status']],
  });

  json = Option.Boolean('--json', false, { description: 'machine-readable output' });

  async perform(rt: Runtime) {
    const { findRepository } = await import('../../io/git.js');
    const { readSetupStatus } = await import('../../operations/project/setup-git.js');
    const status = await readSetupStatus(await findRepository(rt.cwd));
    if (this.json) {
      writeOut(JSON.stringify(status, null, 2));
      return 0;
    }
    const mark = (ok: boolean) => (ok ? 'ok     ' : 'missing');
    const lines = [`${mark(status.attributes)}  .gitattributes block`];
    for (const d of status.drivers)
      lines.push(`${mark(d.actual === d.expected)}  git config ${d.key}`);
    if (status.manager === 'lefthook' || status.manager === 'pre-commit') {
      lines.push(
        `managed  hooks are run by ${status.manager}: see \`git kagi hooks install\` for the snippet`,
      );
    } else {
      for (const h of status.hooks) lines.push(`${mark(h.installed)}  ${h.name} hook (${h.file})`);
    }
    writeOut(lines.join('\n'));
    const complete =
      status.attributes &&
      status.drivers.every((d) => d.actual === d.expected) &&
      status.hooks.every(
        (h) => h.installed || status.manager === 'lefthook' || status.manager === 'pre-commit',
      );
    return complete ? 0 : 1;
  }
}
