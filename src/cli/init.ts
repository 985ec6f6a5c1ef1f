import { Command, Option } from 'clipanion';
import { confirm } from '../io/confirm.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr, writeOut } from './base.js';

export class InitCommand extends KagiCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'create a git-kagi project in this repository',
    details: `
      Creates \`.kagi/\` with a new root key, makes this device the first active member (creating
      its identity in $KAGI_HOME if needed) and adds the plaintext \`.env\` files to \`.gitignore\`.

      \`--envs\` alone means development, test and production; \`--envs a,b\` names them. \`--nested\`
      alone makes the first folder below the root a service; \`--nested apps/api,apps/web\` names the
      service folders. \`--force\` starts over (existing secrets become unreadable) after a question
      on the terminal.
    `,
    examples: [
      ['Start a project with one environment (development)', 'git kagi init'],
      [
        'Three environments, services in apps/api and apps/web',
        'git kagi init --envs --nested apps/api,apps/web',
      ],
    ],
  });

  nested = Option.String('--nested', {
    tolerateBoolean: true,
    description: 'service folders (comma-separated), or first-level folders',
  });
  envs = Option.String('--envs', {
    tolerateBoolean: true,
    description: 'environments (comma-separated); alone: development,test,production',
  });
  name = Option.String('--name', {
    description: 'your name as a member (default: git config user.name)',
  });
  force = Option.Boolean('--force', false, {
    description: 'replace an existing .kagi/ (asks on a terminal)',
  });

  async perform(rt: Runtime) {
    if (this.force) {
      await confirm(rt.terminal, {
        offTerminal: {
          message: '--force replaces .kagi/ and needs a confirmation on a terminal',
          hint: 'run it in a terminal; or delete .kagi/ yourself and run `git kagi init`',
        },
        question: 'Replace .kagi/? Existing secrets become unreadable. Type "yes": ',
        expect: 'yes',
        aborted: 'init aborted; nothing was changed',
      });
    }
    const { DEFAULT_ENVS, initProject } = await import('../operations/team/init-project.js');
    const list = (v: string) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    const result = await initProject(rt, {
      force: this.force,
      envs:
        this.envs === undefined || this.envs === false
          ? undefined
          : this.envs === true
            ? DEFAULT_ENVS
            : list(this.envs),
      nested:
        this.nested === undefined || this.nested === false
          ? undefined
          : this.nested === true
            ? true
            : list(this.nested),
      name: this.name,
    });
    if (result.createdIdentity)
      writeErr("Created this device's identity in $KAGI_HOME (keep it private; back it up).");
    writeErr(`Initialised git-kagi project ${result.projectId} in ${result.root}/.kagi`);
    writeErr(`  environments: ${result.envs.join(', ')}`);
    writeErr(`  you are member ${result.memberId} (active)`);
    if (result.hookSnippet) {
      writeErr('Your hooks are managed by another tool; add git-kagi to its configuration:');
      writeErr(result.hookSnippet);
    }
    writeErr('Next: git kagi set <KEY>, then commit .kagi/, .gitignore and .gitattributes');
    writeOut(result.projectId);
    return 0;
  }
}
