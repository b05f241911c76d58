import type { Tf } from '../runtime/tf-types.js';
import type { TfjsEngineName } from './engine-kinds.js';

/** What the backend needs to know about an engine's performance and limits (measured; see the README). */
export interface EngineTraits {
  /**
   * Layout `linear` weights are kept in: `inOut` (`[in, out]`, the layout wasm's fast XNNPACK path wants; 5-12x faster
   * than a transposed product there) or `outIn` (the checkpoint's `[out, in]`, multiplied with `transposeB`).
   */
  readonly linearLayout: 'inOut' | 'outIn';
  /** Batched or transposed matmuls take a slow generic loop; large ones run faster as plain 2-D products. */
  readonly slowBatchedMatmul: boolean;
  /** The engine keeps a packed copy of a matmul's right operand for as long as that tensor lives (XNNPACK). */
  readonly packsMatmulOperand: boolean;
  /** `tf.tensor(values)` keeps a reference to the host array instead of copying it. */
  readonly aliasesHostArrays: boolean;
  /** Default limit of the bytes the backend may hold, or `undefined` when only host memory limits it. */
  readonly defaultMaxBytes?: number;
  /** Largest single tensor the engine holds correctly, in bytes. */
  readonly maxTensorBytes?: number;
}

/** An engine that is loaded and set as the active tfjs backend. */
export interface ActiveEngine {
  /** Engine name, e.g. `tfjs-wasm`. */
  readonly name: TfjsEngineName;
  /** Where it computes. */
  readonly device: 'cpu' | 'gpu';
  /** The TensorFlow.js API the engine is registered in. */
  readonly tf: Tf;
  /** The tfjs backend name (`tensorflow`, `wasm` or `cpu`). */
  readonly backendName: string;
  /** Threads the engine computes with (wasm: XNNPACK threads; native engines manage their own pool: 0 = unknown). */
  readonly threads: number;
  /** Performance traits and limits. */
  readonly traits: EngineTraits;
}
