import { Command, Option } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr, writeOut } from './base.js';

export class JoinCommand extends KagiCommand {
  static override paths = [['join']];
  static override usage = Command.Usage({
    category: 'Members',
    description: 'ask for access to this project from this device',
    details: `
      Creates this device's identity in $KAGI_HOME if it has none and adds a pending entry to
      \`.kagi/access.json\`. Commit and push it (or open a pull request); an active member then
      approves you. Tell them your fingerprint through another channel so they can check it.
    `,
    examples: [['Ask for access', 'git kagi join --name "Ada Lovelace"']],
  });

  name = Option.String('--name', {
    description: 'your name as the team will see it (default: git config user.name)',
  });

  async perform(rt: Runtime) {
    const { joinProject } = await import('../operations/team/join-project.js');
    const result = await joinProject(rt, this.name);
    const { member } = result;
    if (result.createdIdentity)
      writeErr("Created this device's identity in $KAGI_HOME (keep it private; back it up).");
    if (!result.added) {
      writeErr(`This device is already member ${member.id} (${member.status}).`);
    } else {
      writeErr(`Requested access as ${member.id} (${member.name}).`);
      writeErr(
        `Your fingerprint: ${result.fingerprint} — tell your approver through another channel.`,
      );
      writeErr('Now commit and push the request:');
      writeErr(
        `  git add .kagi/access.json && git commit -m "kagi: join request from ${member.name}" && git push`,
      );
      writeErr('An active member then runs, after pulling:');
      writeErr(`  git kagi member approve ${member.id}`);
    }
    writeOut(member.id);
    return 0;
  }
}
