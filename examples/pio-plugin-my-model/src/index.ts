/**
 * `pio-plugin-my-model`: a PIO plugin for MyModel models.
 *
 * @packageDocumentation
 */
export { MyModelPlugin, createMyModelPlugin } from './my-model-plugin.js';
export { MyModelModel } from './my-model-model.js';
export { MyModelNotReadyError } from './errors/my-model-not-ready-error.js';
export { myModelConfigJsonSchema, parseMyModelConfig, type MyModelConfig } from './my-model-config.js';
