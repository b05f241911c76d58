import type { WeightRole, WeightStorage } from '@pio/core';
import { GGML_TYPE } from '../runtime/ggml-api.js';

/** Storage types this backend holds natively, in `BackendCapabilities.weightStorage` order. */
export const GGML_WEIGHT_STORAGE: readonly WeightStorage[] = ['float32', 'float16', 'bfloat16', 'q8_0', 'q4_k', 'q4_0'];

/** A decided storage: the spec name and the ggml type. */
export interface StoragePlan {
  /** Storage reported on the weight (the fallback actually used, when the requested one does not fit the shape). */
  readonly storage: WeightStorage;
  /** ggml element type of the stored values. */
  readonly ggmlType: number;
}

type Native = 'float32' | 'float16' | 'bfloat16' | 'q8_0' | 'q4_0' | 'q4_k';

const PLANS: Readonly<Record<Native, StoragePlan>> = {
  float32: { storage: 'float32', ggmlType: GGML_TYPE.F32 },
  float16: { storage: 'float16', ggmlType: GGML_TYPE.F16 },
  bfloat16: { storage: 'bfloat16', ggmlType: GGML_TYPE.BF16 },
  q8_0: { storage: 'q8_0', ggmlType: GGML_TYPE.Q8_0 },
  q4_0: { storage: 'q4_0', ggmlType: GGML_TYPE.Q4_0 },
  q4_k: { storage: 'q4_k', ggmlType: GGML_TYPE.Q4_K },
};

/** Values per block of Q8_0 and Q4_0. */
const BLOCK = 32;
/** Values per super-block of Q4_K (`QK_K`). */
const SUPER_BLOCK = 256;

/**
 * Chooses the storage for a weight from its role, the requested storage and its row-major shape (the last axis is
 * the row ggml quantizes).
 *
 * - `plain` weights (and scalars) stay float32: any op may read them.
 * - `linear` and `embedding` weights get the requested storage. `int8` maps to `q8_0` and `int4` to `q4_0` (both
 *   symmetric with one scale per 32 input columns, the closest ggml formats; `groupSize` is not used).
 * - Block formats fall back when the row length does not fit their block: `q4_k` (super-blocks of 256) to `q4_0`
 *   when the row is a multiple of 32, else to `float16`; `q8_0` and `q4_0` to `float16`. The fallback is the
 *   reported storage.
 * - `bfloat16` is stored as ggml BF16 (BF16 checkpoint tensors bit for bit; ggml's CPU matmul then rounds the
 *   activations to bf16 as well).
 */
export function planStorage(role: WeightRole, requested: WeightStorage, shape: readonly number[]): StoragePlan {
  if (role === 'plain' || shape.length === 0) return PLANS.float32;
  const wanted: Native = requested === 'int8' ? 'q8_0' : requested === 'int4' ? 'q4_0' : requested;
  const row = shape[shape.length - 1];
  if (wanted === 'q4_k' && row % SUPER_BLOCK !== 0) return row % BLOCK === 0 ? PLANS.q4_0 : PLANS.float16;
  if ((wanted === 'q8_0' || wanted === 'q4_0') && row % BLOCK !== 0) return PLANS.float16;
  return PLANS[wanted];
}
