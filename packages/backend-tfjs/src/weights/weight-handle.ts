import type { Weight } from '@pio/core';
import type { TfTensor } from '../runtime/tf-types.js';

/** What the runtime needs from a weight it owns (resident on the engine or compact on the host). */
export interface WeightHandle extends Weight {
  /** Set by `Backend.keep`: the weight survives every scope. */
  kept: boolean;
  /** Bytes the weight holds on the engine's heap (counted against the memory limit). */
  readonly heapBytes: number;
  /** Engine bytes {@link WeightHandle.materialize} allocates temporarily. */
  readonly materializeBytes: number;
  /** A float32/int32 tensor with the logical shape. Call inside a tidy: temporaries it creates are freed there. */
  materialize(): TfTensor;
}

/** Marks objects that are weights of some tfjs backend; the value is the runtime that owns them. */
export const WEIGHT_OWNER = Symbol('pio.tfjs.weightOwner');

/** True when `value` is a weight created by a tfjs backend (any instance). */
export function isWeightHandle(value: unknown): value is WeightHandle & { readonly [WEIGHT_OWNER]: object } {
  return typeof value === 'object' && value !== null && WEIGHT_OWNER in value;
}
