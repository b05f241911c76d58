import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidManifestError } from '../errors/invalid-manifest-error.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import { parsePluginPackageJson } from './parse-plugin-package-json.js';

/** Options of {@link readPluginPackage}. */
export interface ReadPluginPackageOptions {
  /**
   * When true, a package without the `pio-plugin` keyword is an error (a folder meant to hold plugins); when false
   * (scanning node_modules) it is simply not a plugin and `undefined` is returned. Default false.
   */
  requireKeyword?: boolean;
}

/**
 * Reads a package folder's package.json and, when it is a PIO plugin package (keyword `pio-plugin`), validates its
 * `pio` manifest. Resolves with `undefined` for folders that are not plugin packages.
 *
 * @throws InvalidManifestError when package.json is unreadable or the manifest is missing or invalid.
 * @throws IncompatibleSpecVersionError when the manifest declares another plugin spec version.
 */
export async function readPluginPackage(dir: string, options: ReadPluginPackageOptions = {}): Promise<PluginPackage | undefined> {
  const manifestPath = join(dir, 'package.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if (!options.requireKeyword) return undefined;
    throw new InvalidManifestError(
      { manifestPath, issues: [{ path: '', expected: 'a package.json file', found: `nothing (${(error as NodeJS.ErrnoException).code})` }] },
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (!options.requireKeyword) return undefined;
    throw new InvalidManifestError({ manifestPath, issues: [{ path: '', expected: 'JSON', found: 'invalid JSON' }] }, { cause: error });
  }
  const parsed = parsePluginPackageJson(json, manifestPath, options);
  return parsed && { ...parsed, packageDir: await realpath(dir) };
}
