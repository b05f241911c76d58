/**
 * `@pio/plugin-qwen3-vl`: the PIO plugin for Qwen3-VL (images and text in, text out).
 *
 * @module @pio/plugin-qwen3-vl
 */
export * from './qwen3-vl-plugin.js';
export * from './qwen3-vl-plugin-options.js';
export type { Qwen3VLConfig, Qwen3VLTextConfig, Qwen3VLVisionConfig } from './qwen3-vl-config.js';
export type { Qwen3VLModel, Qwen3VLImages, Qwen3VLSessionOptions } from './qwen3-vl-model.js';
export * from './errors/image-load-error.js';
export * from './errors/invalid-qwen3-vl-input-error.js';
