import { Command } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class HooksInstallCommand extends KagiCommand {
  static override paths = [['hooks', 'install']];
  static override usage = Command.Usage({
    category: 'Git integration',
    description: 'set up the merge drivers, the diff driver and the hooks of this clone',
    details: `
      Writes the \`.gitattributes\` block, the local git config of the merge and diff drivers, and a
      marked block in the pre-commit, post-checkout and post-merge hooks (in the folder
      \`git rev-parse --git-path hooks\` names; in \`.husky/\` for husky). Existing hooks keep
      running. For lefthook and pre-commit it prints the snippet for their configuration.
      Idempotent; \`git kagi init\` and the first command in a fresh clone do it too.
    `,
    examples: [['Set up this clone', 'git kagi hooks install']],
  });

  async perform(rt: Runtime) {
    const { findRepository } = await import('../../io/git.js');
    const { installGitSetup, writeSetupMarker } = await import(
      '../../operations/project/setup-git.js'
    );
    const repo = await findRepository(rt.cwd);
    const report = await installGitSetup(repo);
    await writeSetupMarker(repo, 'installed');
    if (report.changed.length === 0) writeErr('Everything was already in place.');
    for (const item of report.changed) writeErr(`set up ${item}`);
    if (report.snippet) {
      writeErr(`Your hooks are managed by ${report.manager}; add git-kagi to its configuration:`);
      process.stdout.write(report.snippet);
    }
    return 0;
  }
}
