import type { WeightRole, WeightStorage } from '@pio/core';
import { GGML_TYPE } from '../runtime/ggml-api.js';

/** Storage types this backend holds natively, in `BackendCapabilities.weightStorage` order. */
export const GGML_WEIGHT_STORAGE: readonly WeightStorage[] = ['float32', 'float16', 'q8_0', 'q4_0'];

/** A decided storage: the spec name and the ggml type. */
export interface StoragePlan {
  /** Storage reported on the weight. */
  readonly storage: WeightStorage;
  /** ggml element type of the stored values. */
  readonly ggmlType: number;
}

const PLANS: Readonly<Record<'float32' | 'float16' | 'bfloat16' | 'q8_0' | 'q4_0', StoragePlan>> = {
  float32: { storage: 'float32', ggmlType: GGML_TYPE.F32 },
  float16: { storage: 'float16', ggmlType: GGML_TYPE.F16 },
  bfloat16: { storage: 'float32', ggmlType: GGML_TYPE.F32 },
  q8_0: { storage: 'q8_0', ggmlType: GGML_TYPE.Q8_0 },
  q4_0: { storage: 'q4_0', ggmlType: GGML_TYPE.Q4_0 },
};

/** ggml block size (values per block) of the block formats. */
const BLOCK = 32;

/**
 * Chooses the storage for a weight: `plain` weights stay float32 (any op may read them); `linear` and `embedding`
 * weights get the requested storage, with `int8` → `q8_0`, `int4` and `q4_k` → `q4_0`, block formats falling back
 * to `float16` when the row length is not a multiple of 32, and `bfloat16` → `float32` (exact: ggml's CPU matmul
 * would round the activations to bf16, and CPUs without AVX512-BF16 gain no speed from it).
 */
export function planStorage(role: WeightRole, requested: WeightStorage, shape: readonly number[]): StoragePlan {
  if (role === 'plain' || shape.length === 0) return PLANS.float32;
  const wanted = requested === 'int8' ? 'q8_0' : requested === 'int4' || requested === 'q4_k' ? 'q4_0' : requested;
  if ((wanted === 'q8_0' || wanted === 'q4_0') && shape[shape.length - 1] % BLOCK !== 0) return PLANS.float16;
  return PLANS[wanted];
}
