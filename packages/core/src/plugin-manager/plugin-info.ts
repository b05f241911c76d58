import type { TrustLevel } from '../plugin/trust-level.js';
import type { PluginEntry } from './plugin-entry.js';
import type { PluginInfo, PluginState } from './plugin-manager.js';

/** The public view of a registry entry (internal to the manager). */
export function pluginInfo(entry: PluginEntry, trustLevel: TrustLevel, models: readonly PluginEntry[] = []): PluginInfo {
  const { metadata } = entry;
  const state = stateOf(entry, models);
  const only = models.length === 1 ? models[0] : undefined;
  return {
    ...metadata,
    architectures: [...metadata.architectures],
    modelTypes: [...metadata.modelTypes],
    modalities: { input: [...metadata.modalities.input], output: [...metadata.modalities.output] },
    packageName: entry.packageName,
    packageDir: entry.pkg?.packageDir,
    origin: entry.origin,
    trustLevel,
    state,
    active: state === 'active',
    codeLoaded: [entry, ...models].some((e) => e.factory !== undefined || e.reusable !== undefined || e.spare !== undefined),
    modelPath: only?.active?.modelPath,
    settings: only?.active?.settings,
    modelIds: models.map((model) => model.modelId ?? model.name),
  };
}

/** A plugin's state from its models': active while any model runs, else the state of any model in transition. */
export function stateOf(entry: PluginEntry, models: readonly PluginEntry[]): PluginState {
  if (models.some((m) => m.state === 'active')) return 'active';
  return models.find((m) => m.state !== 'inactive')?.state ?? entry.state;
}
