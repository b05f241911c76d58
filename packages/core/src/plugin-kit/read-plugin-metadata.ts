import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidManifestError } from '../errors/invalid-manifest-error.js';
import { parsePluginPackageJson } from '../plugin-manager/parse-plugin-package-json.js';
import { modelPluginMetadataSchema, type ModelPluginMetadata } from '../plugin/plugin-metadata.js';

const cache = new Map<string, ModelPluginMetadata>();

/**
 * A plugin's metadata from its package, the one source: the `pio` manifest of the nearest package.json above
 * `moduleUrl` that has one (pass the plugin module's `import.meta.url`; it finds the package from `src/`, `dist/` or
 * a bundle inside the package folder), with the package's `version`. Read once per package.json.
 *
 * @throws InvalidManifestError when no package.json above `moduleUrl` has a `pio` field, or the manifest is invalid.
 * @throws IncompatibleSpecVersionError when the manifest declares another plugin spec version.
 */
export function readPluginMetadata(moduleUrl: string | URL): ModelPluginMetadata {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    const manifestPath = join(dir, 'package.json');
    const cached = cache.get(manifestPath);
    if (cached) return cached;
    if (existsSync(manifestPath)) {
      const json = JSON.parse(readFileSync(manifestPath, 'utf8')) as { pio?: unknown };
      if (json.pio !== undefined) {
        const { manifest, version } = parsePluginPackageJson(json, manifestPath, { requireKeyword: true })!;
        const { name, description, architectures, modelTypes, modalities, license, requiredTrust, homepage } = manifest;
        const metadata = modelPluginMetadataSchema.parse({
          name,
          version,
          description,
          architectures,
          modelTypes,
          modalities,
          license,
          requiredTrust,
          homepage,
        });
        cache.set(manifestPath, metadata);
        return metadata;
      }
    }
    if (dirname(dir) === dir) {
      const found = 'no package.json with a "pio" field above the module';
      throw new InvalidManifestError({ manifestPath: join(start, 'package.json'), issues: [{ path: 'pio', expected: 'a PIO plugin manifest object', found }] });
    }
  }
}
