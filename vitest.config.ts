import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@pio/source'] },
  ssr: { resolve: { conditions: ['@pio/source'], externalConditions: ['@pio/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
