// `git kagi verify`: the CI check of .kagi/ (DESIGN §5). Prints each problem git-style and exits 4
// on any inconsistency; changes no file of the repository.
import { Command } from 'clipanion';
import { EXIT } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr, writeOut } from './base.js';

export class VerifyCommand extends KagiCommand {
  static override paths = [['verify']];
  static override usage = Command.Usage({
    description: 'check that .kagi/ is consistent (for CI); exit 4 if not',
    details: `
      Checks the work tree's \`.kagi/\`: formats, one key epoch for every line, no conflict markers,
      sorted unique lines, sealed active members, the key history, and no interrupted rotation.
      With a key (KAGI_PROJECT_KEY, KAGI_IDENTITY_FILE or this device's membership) it also
      decrypts every line and verifies every seal and the history chain; without one it checks
      structure only and says so. It catches what a merge made without the git-kagi drivers (a
      hosting site's merge button) or a hand edit can leave behind. It changes no file.
    `,
    examples: [
      ['Check the project (run it in CI after checkout)', 'git kagi verify'],
      [
        'Check and decrypt everything with a machine identity',
        'KAGI_IDENTITY_FILE=ci-identity.txt git kagi verify',
      ],
    ],
  });

  async perform(rt: Runtime) {
    const { verifyProject } = await import('../operations/git/verify-project.js');
    const report = await verifyProject(rt);
    const { key } = report;
    if (key.kind === 'none' && !key.explicit) {
      writeErr(
        `note: no key${key.error ? ` (${key.error.message})` : ''}: checked structure only; with KAGI_PROJECT_KEY or KAGI_IDENTITY_FILE every line is also decrypted`,
      );
    }
    for (const p of report.problems) {
      writeErr(`error: ${p.message}`);
      if (p.fix) writeErr(`hint: ${p.fix}`);
    }
    if (key.kind === 'none' && key.explicit) {
      writeErr(`error: ${key.error?.message ?? `${key.explicit} does not unlock this project`}`);
      if (key.error?.hint) writeErr(`hint: ${key.error.hint}`);
    }
    if (report.problems.length > 0) {
      writeErr(`verify: ${report.problems.length} problem(s) in .kagi/`);
      return EXIT.integrity;
    }
    if (key.kind === 'none' && key.explicit) return key.error?.exitCode ?? EXIT.noAccess;
    const how =
      key.kind === 'unlocked'
        ? `every line decrypted with ${key.unlocked.source.kind === 'device' ? "this device's key" : key.unlocked.source.kind}`
        : 'structure only: no key';
    writeOut(
      `ok: .kagi/ is consistent (key epoch ${report.epoch}, ${report.stores} store(s), ${report.secrets} secret(s), ${report.members} active member(s); ${how})`,
    );
    return EXIT.ok;
  }
}
