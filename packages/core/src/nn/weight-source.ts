import type { Weight } from '../backend/backend.js';
import type { WeightOptions } from '../backend/weight-storage.js';

/**
 * Where modules take their weights from, by the module's own parameter name
 * (for example `layers.0.selfAttn.qProj.weight` after a plugin's renaming table, or the checkpoint name itself).
 *
 * Reading is asynchronous: a tensor is read from its file and uploaded when taken, so host memory never holds the
 * whole checkpoint. Implementations record which names were taken, so a loader can report missing and unexpected tensors.
 */
export interface WeightSource {
  /** Uploads and returns the weight `name`; throws `WeightLoadError` naming the tensor when it is absent or its shape differs from `shape`. */
  take(name: string, options?: WeightOptions & { shape?: readonly number[] }): Promise<Weight>;
  /** Like {@link WeightSource.take} but returns `undefined` when the tensor is absent (optional biases, tied heads). */
  takeOptional(name: string, options?: WeightOptions & { shape?: readonly number[] }): Promise<Weight | undefined>;
  /** True when the tensor exists. */
  has(name: string): boolean;
}
