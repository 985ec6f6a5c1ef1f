import { Command } from 'clipanion';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr } from './base.js';

export class RotateCommand extends KagiCommand {
  static override paths = [['rotate']];
  static override usage = Command.Usage({
    category: 'Members',
    description: 'replace the root key (no one is removed)',
    details:
      'A new root key at the next epoch: every secret is re-encrypted and every active member whose seal verifies is re-wrapped. Crash-safe: an interrupted rotation is finished by the next git kagi command.',
    examples: [['Rotate the key', 'git kagi rotate']],
  });

  async perform(rt: Runtime) {
    const { openProject } = await import('../operations/project/open-project.js');
    const { rotateKey } = await import('../operations/team/rotate-key.js');
    const result = await rotateKey(rt, await openProject(rt));
    writeErr(
      `Rotated the key to epoch ${result.epoch}: ${result.scopes} scope(s) re-encrypted, ${result.rewrapped.length} member(s) re-wrapped.`,
    );
    for (const m of result.unsealed)
      writeErr(`warning: not re-wrapped to ${m.id}: its seal does not verify`);
    writeErr('Commit and push .kagi/ now.');
    return 0;
  }
}
