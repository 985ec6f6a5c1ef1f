// `git kagi diff [<rev> [<rev>]]`: added (+), changed (~) and removed (-) secrets per scope, by
// name only; no value is ever printed.
import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr, writeOut } from './base.js';

export class DiffCommand extends KagiCommand {
  static override paths = [['diff']];
  static positionals = '[<rev> [<rev>]]';
  static override usage = Command.Usage({
    description: 'list the secrets added, changed and removed between two states (names only)',
    details: `
      With no revision, compares HEAD with the work tree; with one, that revision with the work
      tree; with two, the first with the second. Values are compared decrypted, so a key rotation
      shows no change, but only names are printed. Without a key on this device lines are
      compared by their tags and names stay hidden.
    `,
    examples: [
      ['What have I changed since the last commit?', 'git kagi diff'],
      ['What did a branch change?', 'git kagi diff main feature'],
      ['Since a release, as JSON', 'git kagi diff v1.2.0 --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'machine-readable output' });
  revs = Option.Rest({ name: 'rev' });

  async perform(rt: Runtime) {
    const { diffSecrets, WORK_TREE } = await import('../operations/git/diff-secrets.js');
    const diff = await diffSecrets(rt, this.revs);
    if (this.json) {
      writeOut(JSON.stringify(diff, null, 2));
      return 0;
    }
    if (diff.names_hidden)
      writeErr('note: no key for some secrets on this device: they are shown by tag, names hidden');
    if (diff.scopes.length === 0) {
      const name = (side: string) => (side === WORK_TREE ? `the ${side}` : side);
      writeErr(`No secret changed between ${name(diff.from)} and ${name(diff.to)}.`);
      return 0;
    }
    const lines: string[] = [];
    const show = (name: string) =>
      name.startsWith('tag:') ? `(name hidden, tag ${name.slice(4, 12)})` : name;
    for (const s of diff.scopes) {
      const state =
        s.status === 'added' ? ' (new scope)' : s.status === 'removed' ? ' (scope removed)' : '';
      lines.push(`${s.scope}${state}`);
      for (const n of s.added) lines.push(`  + ${show(n)}`);
      for (const n of s.changed) lines.push(`  ~ ${show(n)}`);
      for (const n of s.removed) lines.push(`  - ${show(n)}`);
      if (s.note) lines.push(`  (${s.note})`);
    }
    writeOut(lines.join('\n'));
    return 0;
  }
}
