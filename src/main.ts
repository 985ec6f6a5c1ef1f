// The entry, which Node compiles on every start without any cache: so it only picks the bundle of
// the command (bundles/table.ts), loads it, and sets the exit code its `main` returns. All else,
// the runtime and error reports included, is in the bundles (bundles/command.ts).
import path from 'node:path';
import type { Outcome } from './bundles/command.js';
import { HOT_BUNDLES, pickHotBundle } from './bundles/table.js';
import { loadBundle, saveCodeCaches } from './io/code-cache.js';
import { resolveKagiHome } from './io/kagi-home.js';

interface Bundle {
  main(argv: readonly string[]): Promise<Outcome>;
}

/**
 * The bundle of the command (bundles/table.ts): a hot one through V8's code cache in $KAGI_HOME
 * (io/code-cache.ts), or required as it is when plain; anything else is the CLI, an ES module.
 */
function load(argv: readonly string[]): Bundle | Promise<Bundle> {
  const name = pickHotBundle(argv);
  if (name === null) return import('./bundles/cli.js');
  if (HOT_BUNDLES[name]?.plain) return require(path.join(__dirname, 'hot', `${name}.cjs`));
  return loadCached(name);
}

function loadCached(name: string): Bundle {
  const home = resolveKagiHome(process.env);
  const cacheFile = path.join(home, 'cache', 'code', `${name}.${KAGI_BUILD_ID}.bin`);
  return loadBundle(
    path.join(__dirname, 'hot', `${name}.cjs`),
    cacheFile,
    (specifier) => import(specifier),
  ) as Bundle;
}

const argv = process.argv.slice(2);
Promise.resolve()
  .then(() => load(argv))
  .then((bundle) => bundle.main(argv))
  .then(
    ({ code, completed, settled }) => {
      // Only once a command has run to completion (whatever its exit code: a program that `run`
      // started may fail), so a cache holds every function that command compiled.
      if (completed) saveCodeCaches();
      process.exitCode = code;
      // Once its program has ended, `run` has nothing left to do: ending here skips Node's
      // teardown of its heap, 0.3 ms of every run. Other commands wind down as usual, so that
      // nothing they may have left running (a file being synced) is cut short.
      if (argv[0] === 'run' && settled) process.exit();
    },
    (error: unknown) => {
      // Never print the error itself: it may come from Node with a value inside.
      process.stderr.write(
        `error: internal error${process.env.KAGI_DEBUG === '1' ? `: ${(error as Error)?.stack}` : ''}\n`,
      );
      process.exitCode = 70;
    },
  );
