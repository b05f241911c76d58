import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: ({ format }) => ({ js: '' }),
  // the benchmark harness is a private workspace package: imported at run time when present, never bundled
  external: ['@pio/bench'],
});
