import { defineConfig } from 'tsup';

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/weights/index.ts',
    'src/image/index.ts',
    'src/text/index.ts',
    'src/generation/index.ts',
    'src/plugin-kit/index.ts',
    'src/nn/index.ts',
    'src/testing/index.ts',
    'src/testing/conformance.ts',
  ],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
