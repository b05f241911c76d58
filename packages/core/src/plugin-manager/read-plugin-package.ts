import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { toConfigIssues } from '../config/config-issues.js';
import { IncompatibleSpecVersionError } from '../errors/incompatible-spec-version-error.js';
import { InvalidManifestError } from '../errors/invalid-manifest-error.js';
import { PLUGIN_PACKAGE_KEYWORD, pluginManifestSchema } from '../plugin/plugin-manifest.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import { PLUGIN_SPEC_VERSION } from '../plugin/plugin-spec-version.js';

const packageJsonSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().min(1),
  keywords: z.array(z.string()).optional(),
  pio: z.unknown(),
});

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
  const keywords = (json as { keywords?: unknown }).keywords;
  const marked = Array.isArray(keywords) && keywords.includes(PLUGIN_PACKAGE_KEYWORD);
  if (!marked && !options.requireKeyword) return undefined;
  const packageName = typeof (json as { name?: unknown }).name === 'string' ? (json as { name: string }).name : undefined;

  const pkg = packageJsonSchema.safeParse(json);
  const issues = pkg.success ? [] : toConfigIssues(pkg.error.issues, json);
  if (!marked) issues.push({ path: 'keywords', expected: `an array containing "${PLUGIN_PACKAGE_KEYWORD}"`, found: keywords === undefined ? 'nothing (missing)' : 'no such keyword' });
  const pio = (json as { pio?: unknown }).pio;
  const manifest = pluginManifestSchema.safeParse(pio);
  if (pio === undefined) issues.push({ path: 'pio', expected: 'a PIO plugin manifest object', found: 'nothing (missing)' });
  else if (!manifest.success) issues.push(...toConfigIssues(manifest.error.issues, pio, 'pio'));
  if (issues.length > 0 || !pkg.success || !manifest.success) {
    throw new InvalidManifestError({ manifestPath, packageName, issues }, { cause: manifest.error ?? pkg.error });
  }
  if (manifest.data.specificationVersion !== PLUGIN_SPEC_VERSION) {
    throw new IncompatibleSpecVersionError({
      pluginName: manifest.data.name,
      pluginVersion: manifest.data.specificationVersion,
      coreVersion: PLUGIN_SPEC_VERSION,
    });
  }
  return {
    packageName: pkg.data.name,
    version: pkg.data.version,
    packageDir: await realpath(dir),
    manifestPath,
    manifest: manifest.data,
  };
}
