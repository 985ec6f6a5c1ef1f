// Two projects: `unit` (test/unit and test/vectors: the pure code, no build needed, a loop of
// seconds) and `e2e` (test/e2e: the built dist/git-kagi.cjs in real temporary repositories, so
// `npm run build` first). `npm test` builds and runs both.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets .ci/run print a plain `N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/vectors/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
