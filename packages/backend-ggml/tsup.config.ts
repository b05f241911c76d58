import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // optional native dependencies stay imports (tsup only externalizes `dependencies` and `peerDependencies`)
  external: ['koffi', /^@node-llama-cpp\//],
});
