/**
 * `@pio/core/plugin-kit`: writing a model plugin is writing the model. `createTextModelPlugin` turns a config parser,
 * a memory estimate, a loader and a forward pass into a complete text model plugin; `loadCheckpointModel` loads a
 * model's weights from a safetensors folder with one failed-load rule; `readPluginMetadata` reads the plugin's
 * metadata from its package's `pio` manifest.
 *
 * @packageDocumentation
 */
export * from './create-text-model-plugin.js';
export * from './text-model-plugin-definition.js';
export * from './load-checkpoint-model.js';
export * from './load-text-model-runtime.js';
export type { LoadedTextModelFolder, TextModelLoadOptions } from './load-text-model.js';
export * from './text-model-plugin-options.js';
export * from './read-plugin-metadata.js';
