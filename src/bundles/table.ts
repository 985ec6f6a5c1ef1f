// The bundle boundary (DESIGN §3, "Start-up"), in one table that the entry (main.ts) and the build
// (scripts/build.mjs) both read. Each hot bundle is one CommonJS file, `dist/hot/<name>.cjs`, of
// its source's `work` wrapped in the runtime (bundles/command.ts), compiled through V8's code cache
// (io/code-cache.ts); the rare paths are ES module chunks, `dist/lazy/<name>.js`, loaded on first
// use. Serves every bench case: a path parses only its own code.

export interface HotBundle {
  /** The source, under src/, whose `work` the bundle runs. */
  source: string;
  /** The first words of argv it takes (`hook post-merge` is two): the longest match wins. */
  words: readonly string[];
  /**
   * Required as it is, without the code cache: the post-checkout and post-merge hooks with
   * nothing to do load no node:crypto, which checking a cache would cost them (bench cases 5, 11).
   */
  plain?: true;
}

/** What runs on every program start, commit, checkout, merge and diff. */
export const HOT_BUNDLES: Readonly<Record<string, HotBundle>> = {
  run: { source: 'bundles/run.ts', words: ['run'] },
  get: { source: 'bundles/get.ts', words: ['get'] },
  set: { source: 'bundles/set.ts', words: ['set'] },
  'pre-commit': { source: 'bundles/pre-commit.ts', words: ['hook'] },
  'post-hook': {
    source: 'bundles/post-hook.ts',
    words: ['hook post-checkout', 'hook post-merge'],
    plain: true,
  },
  'merge-driver': { source: 'bundles/merge-driver.ts', words: ['merge-driver'] },
  textconv: { source: 'bundles/textconv.ts', words: ['textconv'] },
};

/**
 * The rare paths, each its own chunk of the ES module build: a dynamic import of one of these
 * sources stays a dynamic import in every bundle. `cli` is the CLI bundle the entry loads for
 * every command the hot bundles do not take; `cli-commands` its commands, which the hot bundles
 * load for the forms of `get`, `set` and `run` they send the CLI. The others cost start-up that
 * only some commands need (age-encryption alone takes 100+ ms to import).
 */
export const LAZY_CHUNKS: Readonly<Record<string, string>> = {
  cli: 'bundles/cli.ts',
  'cli-commands': 'cli/cli.ts',
  'age-library': 'crypto/age-library.ts',
  rotation: 'operations/project/rotation.ts',
  'setup-git': 'operations/project/setup-git.ts',
  'stale-lines': 'operations/project/stale-lines.ts',
};

/** The hot bundle that takes `argv`, or null for the CLI. */
export function pickHotBundle(argv: readonly string[]): string | null {
  const one = argv[0];
  const two = `${one} ${argv[1]}`;
  let picked: string | null = null;
  for (const name in HOT_BUNDLES) {
    const words = (HOT_BUNDLES[name] as HotBundle).words;
    if (words.includes(two)) return name;
    if (words.includes(one as string)) picked = name;
  }
  return picked;
}
