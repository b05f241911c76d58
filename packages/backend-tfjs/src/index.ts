/**
 * `@pio/backend-tfjs`: the PIO backend spec over TensorFlow.js, on tfjs-node-gpu (CUDA), tfjs-node (native CPU),
 * WebAssembly or plain JavaScript.
 *
 * @module @pio/backend-tfjs
 */
export * from './create-tfjs-backend.js';
export * from './tfjs-backend.js';
export * from './tfjs-backend-options.js';
export * from './engine/engine-kinds.js';
export * from './engine/module-resolver.js';
export * from './engine/select-engine.js';
export type * from './engine/active-engine.js';
export type { EngineActivationOptions, EngineCandidate } from './engine/engine-candidates.js';
export * from './errors/engine-unavailable-error.js';
