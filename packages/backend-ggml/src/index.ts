/**
 * `@pio/backend-ggml`: the PIO backend spec over ggml (the tensor library of llama.cpp), loaded from the prebuilt
 * `@node-llama-cpp/<platform>` libraries through koffi. Ops record a graph computed at sync points.
 *
 * @module @pio/backend-ggml
 */
export * from './create-ggml-backend.js';
export * from './ggml-backend.js';
export * from './ggml-backend-options.js';
export * from './device/select-device.js';
export * from './runtime/locate-binaries.js';
export * from './weights/storage-plan.js';
export * from './weights/ggml-row-encoder.js';
export type { WeightRepackInfo } from './weights/weight-repack.js';
export * from './errors/ggml-unavailable-error.js';
export * from './errors/ggml-device-error.js';
export * from './best/create-best-backend.js';
export * from './best/best-backend-options.js';
export * from './errors/no-backend-error.js';
