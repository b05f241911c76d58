/**
 * Which compute engine {@link createTfjsBackend} should use.
 *
 * - `auto`: the best one installed, in the order `tfjs-node-gpu`, `tfjs-node`, `tfjs-wasm`, `tfjs-cpu`.
 * - `gpu`: `@tensorflow/tfjs-node-gpu` (CUDA).
 * - `cpu`: `@tensorflow/tfjs-node` (native TensorFlow on the CPU).
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (WebAssembly with SIMD, XNNPACK matmuls).
 * - `js`: `@tensorflow/tfjs-backend-cpu` (plain JavaScript, about 40x slower than wasm; a last resort).
 */
export type TfjsDevice = 'auto' | 'gpu' | 'cpu' | 'wasm' | 'js';

/** The engine a tfjs backend runs on; reported as `Backend.engine`. */
export type TfjsEngineName = 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu';
