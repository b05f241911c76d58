import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // node-llama-cpp is imported at run time from wherever it is installed, never bundled
  external: ['node-llama-cpp'],
});
