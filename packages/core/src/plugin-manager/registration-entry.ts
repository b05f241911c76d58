import { parseConfig } from '../config/parse-config.js';
import { PioError } from '../errors/pio-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import type { PluginFactory } from '../plugin/plugin-factory.js';
import type { ModelPluginMetadataInput } from '../plugin/plugin-metadata-input.js';
import { modelPluginMetadataSchema, type ModelPluginMetadata } from '../plugin/plugin-metadata.js';
import type { PluginEntry } from './plugin-entry.js';
import type { RegisterPluginOptions } from './plugin-manager.js';
import { validatePlugin } from './validate-plugin.js';

/**
 * The registry entry for a plugin given in code (internal to the manager).
 *
 * @throws InvalidConfigError when `manifest` is not valid metadata.
 * @throws IncompatibleSpecVersionError, PluginLoadError when the plugin (or what the factory returns) is not valid.
 */
export async function registrationEntry(
  plugin: ModelPluginInterface | PluginFactory,
  manifest: ModelPluginMetadataInput | undefined,
  options: RegisterPluginOptions,
): Promise<PluginEntry> {
  const declared: ModelPluginMetadata | undefined =
    manifest === undefined ? undefined : parseConfig(modelPluginMetadataSchema, manifest, { source: 'registerPlugin manifest' });
  const label = declared?.name ?? 'registered plugin';
  const base = {
    origin: 'registered' as const,
    packageName: options.packageName,
    trustLevel: options.packageName === undefined ? (options.trustLevel ?? 'verified') : undefined,
    state: 'inactive' as const,
    executions: new Set<never>(),
  };
  if (typeof plugin !== 'function') {
    const checked = validatePlugin(plugin, label, declared?.name);
    return { ...base, name: checked.metadata.name, metadata: declared ?? checked.metadata, reusable: checked.plugin };
  }
  if (declared !== undefined) return { ...base, name: declared.name, metadata: declared, factory: plugin };
  let value: unknown;
  try {
    value = await plugin();
  } catch (error) {
    if (PioError.isInstance(error)) throw error;
    throw new PluginLoadError({ pluginName: label, reason: `its factory threw: ${(error as Error).message}` }, { cause: error });
  }
  const checked = validatePlugin(value, label);
  return { ...base, name: checked.metadata.name, metadata: checked.metadata, factory: plugin, spare: checked.plugin };
}
