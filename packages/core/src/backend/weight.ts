import type { Tensor } from './tensor.js';
import type { WeightStorage } from './weight-storage.js';

/** A weight uploaded to a backend: a {@link Tensor} that knows how it is stored. */
export interface Weight extends Tensor {
  /** Storage type actually used (may differ from the one requested, see `BackendCapabilities.weightStorage`). */
  readonly storage: WeightStorage;
  /** Bytes the weight occupies on the backend. */
  readonly byteSize: number;
}
