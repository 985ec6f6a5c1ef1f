// `git kagi doctor [--fix]`: every check of this device and clone with a plain explanation and a
// fix; `--fix` repairs what is safe to repair, never asks, then checks again.
import { Command, Option } from 'clipanion';
import { EXIT } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { KagiCommand, writeErr, writeOut } from './base.js';

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' } as const;

export class DoctorCommand extends KagiCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    description: 'check this clone and device, and say how to fix each problem',
    details: `
      Checks the repository and project, this device's identity (present, mode 0600 in a 0700
      folder, readable), the key source and your membership, the key pin, the merge and diff
      drivers, the .gitattributes block, the hooks, an interrupted key rotation, and everything
      \`git kagi verify\` checks. Exit 0 when all is well, 1 when something needs fixing, 4 when
      the data itself is inconsistent.

      \`--fix\` repairs what is safe without a decision: it installs the drivers, attributes and
      hooks, finishes an interrupted rotation, re-encrypts lines left at an older key epoch (a
      branch made before a rotation and merged without the drivers), re-wraps members approved on
      such a branch, and tightens file modes in the git-kagi home. It never re-wraps an entry that
      no key holder sealed, and never asks.
    `,
    examples: [
      ['What is wrong here?', 'git kagi doctor'],
      ['Repair what can be repaired, then check again', 'git kagi doctor --fix'],
    ],
  });

  fix = Option.Boolean('--fix', false, { description: 'repair what can be repaired safely' });

  async perform(rt: Runtime) {
    const out: string[] = [];
    const changed = new Set<string>();
    if (this.fix) {
      const { repairProject } = await import('../operations/diagnostics/repair-project.js');
      for (const step of await repairProject(rt)) {
        out.push(`${step.done ? 'fixed' : 'left '} ${step.name.padEnd(10)} ${step.detail}`);
        for (const p of step.paths ?? []) changed.add(p);
      }
      if (out.length === 0) out.push('Nothing to repair.');
      out.push('');
    }
    const { diagnoseProject } = await import('../operations/diagnostics/diagnose-project.js');
    const checks = await diagnoseProject(rt);
    for (const c of checks) {
      out.push(`${LABEL[c.status]} ${c.name.padEnd(10)} ${c.detail}`);
      if (c.fix && (c.status === 'fail' || c.status === 'warn')) out.push(`     fix: ${c.fix}`);
    }
    writeOut(out.join('\n'));
    if (changed.size > 0) writeErr(`Commit ${[...changed].join(', ')} now.`);
    const failed = checks.filter((c) => c.status === 'fail');
    if (failed.some((c) => c.integrity)) return EXIT.integrity;
    return failed.length > 0 ? EXIT.failure : EXIT.ok;
  }
}
