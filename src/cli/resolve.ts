import { Command, Option } from 'clipanion';
import { KagiError } from '../errors.js';
import type { Choice } from '../operations/git/resolve-conflicts.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';

export class ResolveCommand extends KagiCommand {
  static override paths = [['resolve']];
  static override usage = Command.Usage({
    category: 'Git integration',
    description: 'resolve secrets a merge changed two ways',
    details: `
      For each store the merge left unmerged, lists the secrets changed two ways (names, who set
      each side and when; never values) and lets you keep ours, theirs, or type a new value, per
      secret. \`--ours\` or \`--theirs\` decides every conflict at once (for scripts). The resolved
      stores are staged; finish with \`git commit\`.
    `,
    examples: [
      ['Choose per secret on a terminal', 'git kagi resolve'],
      ['Keep our side everywhere', 'git kagi resolve --ours'],
    ],
  });

  ours = Option.Boolean('--ours', false, { description: 'keep our side of every conflict' });
  theirs = Option.Boolean('--theirs', false, { description: 'keep their side of every conflict' });

  async perform(rt: Runtime) {
    if (this.ours && this.theirs)
      throw new KagiError('usage', 'choose --ours or --theirs, not both');
    const { findStoreConflicts } = await import('../operations/git/resolve-conflicts.js');
    const { stores, other } = await findStoreConflicts(rt);
    for (const p of other)
      writeErr(`warning: ${p} is unmerged too; git kagi resolve only resolves stores`);
    if (stores.length === 0) {
      writeErr('No store has conflicts.');
      return other.length > 0 ? 1 : 0;
    }
    const all: Choice | null = this.ours
      ? { kind: 'ours' }
      : this.theirs
        ? { kind: 'theirs' }
        : null;
    if (!all && !rt.terminal.interactive) {
      for (const s of stores) writeErr(`${s.scope}: ${s.conflicts.map((c) => c.name).join(', ')}`);
      throw new KagiError('needs-terminal', 'choosing per secret needs a terminal', {
        hint: 'run it in a terminal, or pass --ours or --theirs',
      });
    }
    for (const store of stores) {
      const choices = new Map<string, Choice>();
      for (const c of store.conflicts) {
        if (all) {
          choices.set(c.name, all);
          continue;
        }
        const side = (r: typeof c.ours) =>
          r ? `set ${r.updated_at.slice(0, 16).replace('T', ' ')} by ${r.updated_by}` : 'deleted';
        writeErr(`${store.scope} ${c.name}: ours ${side(c.ours)}; theirs ${side(c.theirs)}`);
        for (;;) {
          const answer = (await rt.terminal.ask('  keep [o]urs, [t]heirs, or type a [n]ew value? '))
            .trim()
            .toLowerCase();
          if (answer === 'o') choices.set(c.name, { kind: 'ours' });
          else if (answer === 't') choices.set(c.name, { kind: 'theirs' });
          else if (answer === 'n')
            choices.set(c.name, {
              kind: 'value',
              value: await rt.terminal.askHidden(`  new value for ${c.name}: `),
            });
          else continue;
          break;
        }
      }
      await store.apply(choices);
      writeErr(
        `Resolved ${store.scope} (${store.conflicts.length} secret(s)); staged ${store.path}`,
      );
    }
    writeErr('Finish the merge with `git commit`.');
    return 0;
  }
}
