import { Command, Option } from 'clipanion';
import { KagiError } from '../../errors.js';
import { confirm } from '../../io/confirm.js';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class MemberAddMachineCommand extends KagiCommand {
  static override paths = [['member', 'add-machine']];
  static override usage = Command.Usage({
    category: 'Members',
    description: 'register a machine (CI, a deploy target) as a member',
    details: `
      Creates a new identity, registers it as an active, sealed member, and writes the identity
      once: to the file \`--out\` names (mode 0600), or to the terminal after a confirmation. Put it
      in the machine's secret store and point \`KAGI_IDENTITY_FILE\` at it (or put its text in
      \`KAGI_IDENTITY\`): it keeps working across key rotations.
    `,
    examples: [
      ['A CI identity', 'git kagi member add-machine github-actions --out ci-identity.txt'],
    ],
  });

  name = Option.String({ name: 'name' });
  out = Option.String('--out,-o', {
    description: 'file to write the identity to (must not exist)',
  });

  async perform(rt: Runtime) {
    if (!this.out) {
      await confirm(rt.terminal, {
        // Not a confirmation that is missing but a place: a usage error.
        offTerminal: new KagiError(
          'no-output',
          'the machine identity must go to a file or a terminal',
          { hint: 'pass --out <file>' },
        ),
        question: 'Print the new machine identity on this terminal? [y/N] ',
        expect: 'y',
        aborted: 'nothing was changed',
      });
    }
    const { addMachine } = await import('../../operations/team/add-machine.js');
    const result = await addMachine(rt, this.name, this.out ?? null);
    if (this.out) writeErr(`Wrote the identity of ${this.name} to ${this.out} (mode 0600).`);
    else process.stdout.write(result.identityText);
    writeErr(
      `Registered machine ${result.member.id} (${this.name}), fingerprint ${result.fingerprint}.`,
    );
    writeErr(
      "Store the identity in the machine's secret store as KAGI_IDENTITY (or a file named by KAGI_IDENTITY_FILE),",
    );
    writeErr('delete any local copy, then commit and push .kagi/access.json.');
    return 0;
  }
}
