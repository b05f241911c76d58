import type { Weight } from '../backend/backend.js';
import type { HostTensor } from '../backend/host-tensor.js';
import type { WeightOptions } from '../backend/weight-storage.js';
import type { WeightSource } from '../nn/weight-source.js';
import type { Checkpoint } from './checkpoint.js';
import type { TensorInfo } from './tensor-info.js';
import type { WeightLoadReport } from './weight-load-report.js';

/**
 * A {@link WeightSource} over a {@link Checkpoint}: `take` checks one tensor's shape and uploads it — streamed from
 * its file in parts of whole rows through one reused buffer when the backend has `beginWeight` (host memory holds a
 * few MiB, never the whole tensor), else read whole, uploaded with `backend.weight` and the host bytes dropped.
 * Names are module names (after the rename table).
 */
export interface CheckpointWeightSource extends WeightSource {
  /** The checkpoint read from. */
  readonly checkpoint: Checkpoint;
  /** Module names available (declared-unused tensors excluded), in checkpoint order. */
  names(): string[];
  /** Dtype, shape and byte length of the module tensor `name`, or `undefined` when absent. */
  info(name: string): TensorInfo | undefined;
  /**
   * Reads the host bytes of `name` without uploading them (lazy loading, e.g. MoE experts read on demand).
   * Marks the tensor used. Throws `WeightLoadError` when absent, `WeightShapeError` when `shape` differs.
   */
  readHost(name: string, options?: { shape?: readonly number[] }): Promise<HostTensor>;
  /**
   * Uploads `name` on demand (lazy loading after the model load, e.g. a MoE expert on first use): as `take` — streamed
   * in parts when the backend has `beginWeight`, so no whole tensor sits on the host — but not counted in the load
   * progress or in {@link CheckpointWeightSource.report}'s `loaded` / `bytes`. Marks the tensor used.
   */
  upload(name: string, options?: WeightOptions & { shape?: readonly number[] }): Promise<Weight>;
  /**
   * Marks `name` as used without reading it, so a tensor loaded later (on demand) is not reported unexpected.
   * Returns its info; throws `WeightLoadError` when absent, `WeightShapeError` when `shape` differs.
   */
  claim(name: string, options?: { shape?: readonly number[] }): TensorInfo;
  /** Missing, unexpected and unused tensors, and what was loaded so far. */
  report(): WeightLoadReport;
  /** Throws `WeightLoadError` listing missing and unexpected tensors (first 20 of each + count), if any. */
  assertComplete(): void;
}
