// The post-checkout and post-merge hooks (`git kagi hook post-checkout|post-merge`): finish an
// interrupted rotation, repair lines a merge brought from before one, tell about join requests.
// Nothing is asked (git gives hooks no terminal), no value is printed, and they never fail the
// checkout. The entry requires this bundle as plain CommonJS (bundles/table.ts).
import { EXIT, KagiError } from '../errors.js';
import { collectPostUpdateNotices } from '../operations/git/post-update-notices.js';
import type { Runtime } from '../runtime.js';

/** The entry sends this bundle only `post-checkout` and `post-merge`. */
export async function work(args: readonly string[], rt: Runtime): Promise<number> {
  const name = args[0] === 'post-merge' ? 'post-merge' : 'post-checkout';
  try {
    for (const notice of await collectPostUpdateNotices(rt, name)) rt.notice(notice);
  } catch (error) {
    rt.notice(
      `git-kagi: ${error instanceof KagiError ? error.message : 'internal error in the hook'}`,
    );
    if (error instanceof KagiError && error.hint) rt.notice(`git-kagi: hint: ${error.hint}`);
  }
  return EXIT.ok;
}
