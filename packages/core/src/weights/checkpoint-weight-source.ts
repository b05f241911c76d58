import type { HostTensor } from '../backend/host-tensor.js';
import type { WeightSource } from '../nn/weight-source.js';
import type { Checkpoint } from './checkpoint.js';
import type { TensorInfo } from './tensor-info.js';
import type { WeightLoadReport } from './weight-load-report.js';

/**
 * A {@link WeightSource} over a {@link Checkpoint}: `take` reads one tensor from its file, checks its shape,
 * uploads it with `backend.weight` and drops the host bytes. Names are module names (after the rename table).
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
   * Marks `name` as used without reading it, so a tensor loaded later (on demand) is not reported unexpected.
   * Returns its info; throws `WeightLoadError` when absent, `WeightShapeError` when `shape` differs.
   */
  claim(name: string, options?: { shape?: readonly number[] }): TensorInfo;
  /** Missing, unexpected and unused tensors, and what was loaded so far. */
  report(): WeightLoadReport;
  /** Throws `WeightLoadError` listing missing and unexpected tensors (first 20 of each + count), if any. */
  assertComplete(): void;
}
