/**
 * `@pio/plugin-qwen3-vl`: the PIO plugin for Qwen3-VL (images and text in, text out).
 *
 * @module @pio/plugin-qwen3-vl
 */
export * from './create-qwen3-vl-plugin.js';
export * from './qwen3-vl-plugin.js';
export * from './qwen3-vl-plugin-options.js';
export * from './qwen3-vl-metadata.js';
export * from './qwen3-vl-config.js';
export * from './qwen3-vl-model.js';
export * from './load-qwen3-vl-model.js';
export * from './estimate-memory.js';
export * from './mrope.js';
export * from './weight-map.js';
export * from './image-prompt.js';
export * from './prepare-image-prompt.js';
export * from './image/load-image.js';
export * from './image/smart-resize.js';
export * from './image/pillow-bicubic-resize.js';
export * from './image/preprocessor-config.js';
export * from './image/image-processor.js';
export * from './errors/image-load-error.js';
export * from './errors/invalid-qwen3-vl-input-error.js';
