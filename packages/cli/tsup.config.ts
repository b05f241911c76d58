import { packageBuild } from '../../tsup.base.ts';

export default packageBuild({
  entry: ['src/index.ts', 'src/cli.ts'],
  dts: { entry: ['src/index.ts'] },
  banner: ({ format }) => ({ js: '' }),
  // the benchmark harness is a private workspace package: imported at run time when present, never bundled
  external: ['@pio/bench'],
});
