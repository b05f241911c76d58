import type { TrustLevel } from '../plugin/trust-level.js';
import type { PluginEntry } from './plugin-entry.js';
import type { PluginInfo } from './plugin-manager.js';

/** The public view of a registry entry (internal to the manager). */
export function pluginInfo(entry: PluginEntry, trustLevel: TrustLevel): PluginInfo {
  const { metadata } = entry;
  return {
    ...metadata,
    architectures: [...metadata.architectures],
    modelTypes: [...metadata.modelTypes],
    modalities: { input: [...metadata.modalities.input], output: [...metadata.modalities.output] },
    packageName: entry.packageName,
    packageDir: entry.pkg?.packageDir,
    origin: entry.origin,
    trustLevel,
    state: entry.state,
    active: entry.state === 'active',
    codeLoaded: entry.factory !== undefined || entry.reusable !== undefined || entry.spare !== undefined,
    modelPath: entry.active?.modelPath,
    settings: entry.active?.settings,
  };
}
