import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares (as tsconfig.base.json is the type-check they share): ES modules for Node 20 with
 * declarations and source maps, from `src/index.ts` unless the package names its entries. A package's
 * `tsup.config.ts` passes what differs (more entries, externals).
 */
export function packageBuild(options: Options = {}) {
  return defineConfig({ entry: ['src/index.ts'], format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20', ...options });
}
