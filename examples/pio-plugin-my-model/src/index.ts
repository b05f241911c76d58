/**
 * `pio-plugin-my-model`: a PIO plugin for MyModel models.
 *
 * @packageDocumentation
 */
export { createMyModelPlugin, type MyModelPlugin } from './my-model-plugin.js';
export type { MyModelConfig } from './my-model-config.js';
