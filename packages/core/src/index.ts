/**
 * `@pio/core`: the PIO spec (plugins, backends, models) and its machinery.
 *
 * Helpers sit behind subpath exports: `@pio/core/nn`, `@pio/core/weights`, `@pio/core/text`,
 * `@pio/core/generation`, `@pio/core/testing`.
 *
 * @packageDocumentation
 */
export * from './errors/pio-error.js';
export * from './errors/backend-error.js';
export * from './errors/backend-memory-error.js';
export * from './backend/backend.js';
export * from './backend/tensor.js';
export * from './backend/host-tensor.js';
export * from './backend/host-tensor-decode.js';
export * from './backend/weight-storage.js';
export * from './model/causal-lm.js';
export * from './plugin/plugin-spec-version.js';
export * from './plugin/trust-level.js';
export * from './plugin/plugin-metadata.js';
export * from './plugin/memory-estimate.js';
export * from './plugin/chat.js';
export * from './plugin/generation-options.js';
export * from './plugin/model-plugin-interface.js';
export * from './plugin/text-model-plugin-interface.js';
