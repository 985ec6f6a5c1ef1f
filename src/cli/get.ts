import { Command, Option } from 'clipanion';
import { KagiError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeOut } from './base.js';
import { envOption, serviceOption } from './scope-options.js';

const MASK = '••••••••';

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

  async run(rt: Runtime) {
    const { openTarget } = await import('../operations/target.js');
    const target = await openTarget(rt, {
      args: this.args,
      tail: { min: 0, max: 1 },
      allowNewService: false,
      service: this.service,
      env: this.env,
    });
    const name = target.rest[0];
    if (name !== undefined || this.show) await confirmReveal(rt);
    if (name !== undefined) {
      const { revealSecret } = await import('../operations/reveal-secret.js');
      const row = await revealSecret(rt, target, name);
      if (this.json)
        writeOut(JSON.stringify({ scope: row.scope, name: row.name, value: row.value }));
      else writeOut(row.value);
      return 0;
    }
    const { listSecrets } = await import('../operations/list-secrets.js');
    const listings = await listSecrets(rt, target);
    if (this.json) {
      const rows = listings.flatMap((l) =>
        l.rows.map((r) => ({
          scope: r.scope,
          name: r.name,
          ...(this.show ? { value: r.value } : {}),
          inherited_from: r.inherited_from,
          updated_at: r.updated_at,
          updated_by: r.updated_by,
        })),
      );
      writeOut(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (listings.length === 0) {
      process.stderr.write('No secrets yet. Add one with `git kagi set KEY`.\n');
      return 0;
    }
    const lines: string[] = [];
    for (const listing of listings) {
      lines.push(listing.scope);
      if (listing.rows.length === 0) lines.push('  (no secrets)');
      const width = Math.max(0, ...listing.rows.map((r) => r.name.length));
      for (const r of listing.rows) {
        const shown = this.show ? displayValue(r.value) : MASK;
        const from = r.inherited_from ? `inherited from ${r.inherited_from}, ` : '';
        lines.push(
          `  ${r.name.padEnd(width)}  ${shown}  ${from}set ${formatWhen(r.updated_at)} by ${r.updated_by}`,
        );
      }
    }
    writeOut(lines.join('\n'));
    return 0;
  }
}

async function confirmReveal(rt: Runtime): Promise<void> {
  if (!rt.terminal.interactive) {
    throw new KagiError(
      'needs-terminal',
      'revealing secret values needs a confirmation on a terminal',
      {
        hint: 'pass secrets to programs with `git kagi run`, or use `get --json` for the masked listing',
      },
    );
  }
  const answer = await rt.terminal.ask('Show secret values on screen? [y/N] ');
  if (answer.trim().toLowerCase() !== 'y') throw new KagiError('aborted', 'nothing was shown');
}

function displayValue(value: string): string {
  return /[\u0000-\u001f\u007f]|^\s|\s$/.test(value) ? JSON.stringify(value) : value;
}

function formatWhen(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
