/**
 * `@pio/bench` (private, not published): PIO on the ggml backend side by side with node-llama-cpp, on the same
 * weights (random Qwen3 weights, or a Qwen3 / Qwen3-VL folder's text decoder) written as GGUF.
 * `pio bench --compare node-llama-cpp` (in the workspace) and this package's `pnpm bench` use it.
 *
 * @packageDocumentation
 */
export * from './decoder-shape.js';
export * from './bench-shapes.js';
export * from './random-weights.js';
export * from './bench-engine-request.js';
export * from './bench-engine-result.js';
export * from './bench-comparison-row.js';
export * from './bench-comparison.js';
export * from './compare-with-node-llama-cpp.js';
export * from './run-bench-engine.js';
export * from './spawn-bench-child.js';
export * from './format-bench-table.js';
export type { NodeLlamaCppImporter } from './load-node-llama-cpp.js';
export { BENCH_STORAGES } from './write-bench-gguf.js';
export * from './errors/node-llama-cpp-missing-error.js';
export * from './errors/bench-child-error.js';
export * from './errors/bench-model-error.js';
