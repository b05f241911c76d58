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

/**
 * Validates a parsed package.json as `readPluginPackage` does (without reading anything): `undefined` for a
 * package that is not a plugin package (unless `requireKeyword`).
 *
 * @throws InvalidManifestError when the manifest is missing or invalid.
 * @throws IncompatibleSpecVersionError when the manifest declares another plugin spec version.
 */
export function parsePluginPackageJson(
  json: unknown,
  manifestPath: string,
  options: { requireKeyword?: boolean } = {},
): Omit<PluginPackage, 'packageDir'> | undefined {
  const keywords = (json as { keywords?: unknown }).keywords;
  const marked = Array.isArray(keywords) && keywords.includes(PLUGIN_PACKAGE_KEYWORD);
  if (!marked && !options.requireKeyword) return undefined;
  const packageName = typeof (json as { name?: unknown }).name === 'string' ? (json as { name: string }).name : undefined;

  const pkg = packageJsonSchema.safeParse(json);
  const issues = pkg.success ? [] : toConfigIssues(pkg.error.issues, json);
  if (!marked)
    issues.push({
      path: 'keywords',
      expected: `an array containing "${PLUGIN_PACKAGE_KEYWORD}"`,
      found: keywords === undefined ? 'nothing (missing)' : 'no such keyword',
    });
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
    manifestPath,
    manifest: manifest.data,
  };
}
