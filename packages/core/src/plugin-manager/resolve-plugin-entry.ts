import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PioError } from '../errors/pio-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import { createPathGuard } from '../security/path-guard.js';

/** Options of {@link resolvePluginEntry}. */
export interface ResolvePluginEntryOptions {
  /** Try the manifest's `source` before its `entry` (workspace development and tests). Default false. */
  preferSource?: boolean;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The file to import for a plugin package. Tries the manifest's `entry` (built code), then its `source`; with
 * `preferSource` the other way round. The file must stay inside the package folder once symlinks are resolved.
 *
 * @throws PluginLoadError when neither file exists (build the package) or the file leaves the package folder.
 */
export async function resolvePluginEntry(pkg: PluginPackage, options: ResolvePluginEntryOptions = {}): Promise<string> {
  const { entry, source } = pkg.manifest;
  const order = source === undefined ? [entry] : options.preferSource ? [source, entry] : [entry, source];
  const guard = createPathGuard({ allowedRoots: [pkg.packageDir] });
  for (const relative of order) {
    const path = join(pkg.packageDir, relative);
    if (!(await isFile(path))) continue;
    try {
      return await guard.validate(path);
    } catch (error) {
      if (!PioError.isInstance(error)) throw error;
      throw new PluginLoadError(
        { pluginName: pkg.manifest.name, modulePath: path, reason: `the module leaves the package folder ${pkg.packageDir}.` },
        { cause: error },
      );
    }
  }
  throw new PluginLoadError({
    pluginName: pkg.manifest.name,
    reason: `none of ${order.map((p) => `"${p}"`).join(', ')} exists in ${pkg.packageDir}. ` + `Build the package (e.g. \`pnpm build\`) or reinstall it.`,
  });
}
