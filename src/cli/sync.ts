import { Command } from 'clipanion';
import { KagiError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

export class SyncCommand extends KagiCommand {
  static override paths = [['sync']];
  static override usage = Command.Usage({
    description: "add the keys of a service's .env.example to every env",
    details: `
      Reads the service's \`.env.example\` (in its nested folder, else the current folder), including
      commented \`# KEY=\` lines, and adds every key that is missing to each environment of the
      service, with the example's value (empty for commented lines). Existing secrets are never
      overwritten.
    `,
    examples: [['Bring api up to date with api/.env.example', 'git kagi sync --service api']],
  });

  service = serviceOption();
  env = envOption();

  async perform(rt: Runtime) {
    const { openTarget } = await import('../operations/project/target.js');
    const target = await openTarget(rt, {
      args: [],
      tail: { min: 0, max: 0 },
      allowNewService: true,
      service: this.service,
      env: this.env,
    });
    if (target.service === null) {
      throw new KagiError('usage', 'sync needs a service', {
        hint: 'git kagi sync --service <name>',
      });
    }
    const { syncExample } = await import('../operations/secrets/sync-example.js');
    const result = await syncExample(rt, target);
    if (result.skipped.length > 0)
      writeErr(`skipped ${result.skipped.join(', ')} (KAGI_* names are reserved for key sources)`);
    for (const s of result.scopes) {
      writeErr(
        `${s.scope}: ${s.added.length} added${s.added.length ? ` (${s.added.join(', ')})` : ''}, ${s.kept.length} already set`,
      );
    }
    return 0;
  }
}
