import { toConfigIssues } from '../config/config-issues.js';
import { IncompatibleSpecVersionError } from '../errors/incompatible-spec-version-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import { modelPluginMetadataSchema, type ModelPluginMetadata } from '../plugin/plugin-metadata.js';
import { PLUGIN_SPEC_VERSION } from '../plugin/plugin-spec-version.js';

const METHODS = ['initialize', 'supportsConfig', 'estimateMemory', 'loadModel', 'infer', 'cleanup'] as const;

/**
 * Checks that a value produced by a plugin's factory is a plugin this copy of `@pio/core` can run: the same spec
 * version, valid metadata (parsed, so defaults such as `requiredTrust` are filled in), every method present, and
 * (when `expectedName` is given) the name its manifest announced.
 *
 * @param value - what the factory returned.
 * @param label - the plugin name to report in errors (from the manifest, or `registered plugin`).
 * @throws IncompatibleSpecVersionError when `specificationVersion` differs from {@link PLUGIN_SPEC_VERSION}.
 * @throws PluginLoadError for anything else.
 */
export function validatePlugin(value: unknown, label: string, expectedName?: string): { plugin: ModelPluginInterface; metadata: ModelPluginMetadata } {
  if (value === null || typeof value !== 'object') {
    throw new PluginLoadError({ pluginName: label, reason: `the factory returned ${value === null ? 'null' : typeof value}, not a plugin object.` });
  }
  const plugin = value as Partial<ModelPluginInterface> & { specificationVersion?: unknown };
  if (plugin.specificationVersion !== PLUGIN_SPEC_VERSION) {
    throw new IncompatibleSpecVersionError({
      pluginName: label,
      pluginVersion: String(plugin.specificationVersion ?? 'none'),
      coreVersion: PLUGIN_SPEC_VERSION,
    });
  }
  const metadata = modelPluginMetadataSchema.safeParse(plugin.metadata);
  if (!metadata.success) {
    const lines = toConfigIssues(metadata.error.issues, plugin.metadata, 'metadata').map((i) => `${i.path}: expected ${i.expected}, found ${i.found}`);
    throw new PluginLoadError({ pluginName: label, reason: `its metadata is invalid: ${lines.join('; ')}.` }, { cause: metadata.error });
  }
  const missing = METHODS.filter((name) => typeof plugin[name] !== 'function');
  if (missing.length > 0) {
    throw new PluginLoadError({ pluginName: label, reason: `it does not implement ${missing.join(', ')}.` });
  }
  if (expectedName !== undefined && metadata.data.name !== expectedName) {
    throw new PluginLoadError({
      pluginName: label,
      reason: `its metadata names it "${metadata.data.name}" but its manifest says "${expectedName}"; make them match.`,
    });
  }
  // Keep the plugin object itself (its methods and identity); the parsed metadata has its defaults filled in.
  return { plugin: plugin as ModelPluginInterface, metadata: metadata.data };
}
