import { Command } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeErr } from '../base.js';

export class HooksUninstallCommand extends KagiCommand {
  static override paths = [['hooks', 'uninstall']];
  static override usage = Command.Usage({
    category: 'Git integration',
    description: 'remove exactly what `hooks install` added',
    details:
      'Removes the hook blocks (other hook content stays), the driver config and the `.gitattributes` block. Later commands do not set them up again until `git kagi hooks install`.',
    examples: [['Remove the git integration', 'git kagi hooks uninstall']],
  });

  async perform(rt: Runtime) {
    const { findRepository } = await import('../../io/git.js');
    const { uninstallGitSetup, writeSetupMarker } = await import(
      '../../operations/project/setup-git.js'
    );
    const repo = await findRepository(rt.cwd);
    const removed = await uninstallGitSetup(repo);
    await writeSetupMarker(repo, 'uninstalled');
    if (removed.length === 0) writeErr('Nothing to remove.');
    for (const item of removed) writeErr(`removed ${item}`);
    return 0;
  }
}
