import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@pio/source'] },
  ssr: { resolve: { conditions: ['@pio/source'], externalConditions: ['@pio/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits on a condition and returns as soon as it holds; its 1 s default is shorter than one step can
    // take on a loaded 2-core CI machine. A condition that never holds still fails, after this long.
    expect: { poll: { timeout: 60_000 } },
    pool: 'forks',
    // vitest's summary, then one plain closing line (`N passed, N failed, N skipped`) for CI log readers
    reporters: ['default', './scripts/plain-test-summary.mjs'],
  },
});
