// `git kagi hook <name>`: what the hook blocks call. No CLI framework is loaded, nothing is asked
// (git gives hooks no terminal) and no value is printed. Post hooks never fail the checkout.
import { EXIT, KagiError } from '../errors.js';
import type { Runtime } from '../runtime.js';

/** The post-hook bundle's work: main.ts sends it only `post-checkout` and `post-merge`. */
export function runPostHookArgv(args: readonly string[], rt: Runtime): Promise<number> {
  return runPostHook(args[0] === 'post-merge' ? 'post-merge' : 'post-checkout', rt);
}

/** The pre-commit bundle's work, which main.ts also sends any other name, to say it is unknown. */
export async function runPreCommitArgv(args: readonly string[], rt: Runtime): Promise<number> {
  if (args[0] === 'pre-commit') return runPreCommitHook(rt);
  rt.notice(`error: unknown hook '${args[0] ?? ''}'`);
  return EXIT.usage;
}

async function runPostHook(name: 'post-checkout' | 'post-merge', rt: Runtime): Promise<number> {
  try {
    const { collectPostUpdateNotices } = await import('../operations/git/post-update-notices.js');
    for (const notice of await collectPostUpdateNotices(rt, name)) rt.notice(notice);
  } catch (error) {
    rt.notice(
      `git-kagi: ${error instanceof KagiError ? error.message : 'internal error in the hook'}`,
    );
    if (error instanceof KagiError && error.hint) rt.notice(`git-kagi: hint: ${error.hint}`);
  }
  return EXIT.ok;
}

async function runPreCommitHook(rt: Runtime): Promise<number> {
  const { checkStagedChanges } = await import('../operations/git/pre-commit-check.js');
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
