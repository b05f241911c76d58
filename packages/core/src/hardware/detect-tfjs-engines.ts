import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { TfjsEngineInfo } from './hardware-snapshot.js';

/** TensorFlow.js engine packages, fastest first. */
export const TFJS_ENGINE_PACKAGES: readonly string[] = [
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
];

/**
 * Finds which TensorFlow.js engines resolve from `baseDir`, without importing them: it walks the `node_modules`
 * folders Node's resolver would (via `createRequire(...).resolve.paths`) and reads each package.json. `NODE_PATH`
 * and global folders are left out, since ESM `import()` ignores them.
 *
 * @param baseDir - folder to resolve from (a package folder or project root).
 * @param packages - packages to look for; default {@link TFJS_ENGINE_PACKAGES}.
 */
export function detectTfjsEngines(baseDir: string, packages: readonly string[] = TFJS_ENGINE_PACKAGES): TfjsEngineInfo[] {
  const base = resolve(baseDir);
  const require = createRequire(join(base, 'noop.js'));
  const isAncestorFolder = (dir: string) => {
    const parent = dirname(dir);
    return parent === base || base.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  };
  return packages.map((packageName) => {
    const dirs = (require.resolve.paths(packageName) ?? []).filter((dir) => basename(dir) === 'node_modules' && isAncestorFolder(dir));
    for (const dir of dirs) {
      const packageDir = join(dir, packageName);
      try {
        const json = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
        if (json.name !== packageName) continue;
        return {
          packageName,
          installed: true,
          version: typeof json.version === 'string' ? json.version : undefined,
          path: packageDir,
        };
      } catch {
        // not in this folder: keep walking up
      }
    }
    return { packageName, installed: false };
  });
}
