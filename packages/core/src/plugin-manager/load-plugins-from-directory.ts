import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidManifestError } from '../errors/invalid-manifest-error.js';
import { PioError } from '../errors/pio-error.js';
import { createPathGuard } from '../security/path-guard.js';
import { readPluginPackages, type DiscoveryResult } from './discover-plugins.js';

/**
 * Reads a folder whose subfolders are plugin packages (e.g. a `plugins/` folder next to an app). Every subfolder
 * must be a plugin package; those that are not are reported in `errors`, and so is a symlinked subfolder that points
 * outside the folder (`PathNotAllowedError`). Hidden folders are skipped.
 *
 * @throws InvalidManifestError when the folder itself cannot be read.
 */
export async function loadPluginsFromDirectory(dir: string): Promise<DiscoveryResult> {
  const root = resolve(dir);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new InvalidManifestError(
      {
        manifestPath: root,
        issues: [{ path: '', expected: 'a folder of plugin packages', found: `nothing readable (${(error as NodeJS.ErrnoException).code})` }],
      },
      { cause: error },
    );
  }
  const candidates = entries.filter((e) => !e.name.startsWith('.') && (e.isDirectory() || e.isSymbolicLink())).map((e) => join(root, e.name));
  // a symlinked subfolder pointing out of the folder is refused, like any path leaving its root
  const guard = createPathGuard({ allowedRoots: [root] });
  const dirs: string[] = [];
  const refused: PioError[] = [];
  for (const candidate of candidates) {
    try {
      dirs.push(await guard.validate(candidate));
    } catch (error) {
      if (!PioError.isInstance(error)) throw error;
      refused.push(error);
    }
  }
  const result = await readPluginPackages(dirs, true);
  return { plugins: result.plugins, errors: [...refused, ...result.errors] };
}
