import type { ModelPluginInterface } from './model-plugin-interface.js';

/**
 * What a plugin package's entry exports under its manifest's `export` name: creates a plugin instance.
 * Called with no argument by the `PluginManager`, which creates a fresh instance for each activation.
 */
export type PluginFactory = (options?: Record<string, unknown>) => ModelPluginInterface | Promise<ModelPluginInterface>;
