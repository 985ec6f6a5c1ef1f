// The pre-commit hook (`git kagi hook pre-commit`): blocks plaintext env files, staged values of
// secrets and broken .kagi/ files. Nothing is asked (git gives hooks no terminal) and no value is
// printed. The entry also sends it any other hook name, to say it is unknown.
import { EXIT } from '../errors.js';
import { checkStagedChanges } from '../operations/git/pre-commit-check.js';
import type { Runtime } from '../runtime.js';

export async function work(args: readonly string[], rt: Runtime): Promise<number> {
  if (args[0] !== 'pre-commit') {
    rt.notice(`error: unknown hook '${args[0] ?? ''}'`);
    return EXIT.usage;
  }
  const { problems, skipped } = await checkStagedChanges(rt);
  if (skipped.length > 0)
    rt.notice(`git-kagi: no key on this device; skipped: ${skipped.join(', ')}`);
  if (problems.length === 0) return EXIT.ok;
  rt.notice('git-kagi: commit blocked:');
  for (const p of problems) {
    rt.notice(`  ${p.message}`);
    if (p.fix) rt.notice(`    fix: ${p.fix}`);
  }
  return EXIT.failure;
}
