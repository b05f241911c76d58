import { packageBuild } from '../../tsup.base.ts';

export default packageBuild({
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
    'src/testing/temp-dir.ts',
  ],
});
