import type { WeightStorage } from '../backend/weight-storage.js';
import { formatBytes } from '../hardware/format-bytes.js';
import { PioError, type PioErrorOptions } from './pio-error.js';

/** A model does not fit in the memory available to it; raised before any weight is loaded. */
export class InsufficientMemoryError extends PioError {
  /** Bytes the model needs (weights and runtime). */
  readonly neededBytes: number;
  /** Bytes available for it. */
  readonly availableBytes: number;
  /** Device the estimate is for. */
  readonly device: 'cpu' | 'gpu';
  /** Weight storage the estimate is for. */
  readonly storage: WeightStorage;
  /** What limits the available memory, e.g. `free host memory` or `the backend's limit`. */
  readonly limitedBy: string;

  constructor(
    fields: {
      neededBytes: number;
      availableBytes: number;
      device: 'cpu' | 'gpu';
      storage: WeightStorage;
      limitedBy: string;
      /** What to do instead, e.g. `int4 weights need 3.10 GiB and fit`. */
      suggestion?: string;
    },
    options: PioErrorOptions = {},
  ) {
    const advice = fields.suggestion ?? 'Free memory, choose a smaller weight storage type (int8, int4), or use a smaller model.';
    super(
      'PIO_INSUFFICIENT_MEMORY',
      `Not enough memory to load the model on ${fields.device} with ${fields.storage} weights: it needs ` +
        `${formatBytes(fields.neededBytes)} (${fields.neededBytes} bytes) but only ${formatBytes(fields.availableBytes)} ` +
        `(${fields.availableBytes} bytes) is available (limited by ${fields.limitedBy}). ${advice}`,
      options,
    );
    this.name = 'InsufficientMemoryError';
    this.neededBytes = fields.neededBytes;
    this.availableBytes = fields.availableBytes;
    this.device = fields.device;
    this.storage = fields.storage;
    this.limitedBy = fields.limitedBy;
  }

  /** True when `error` is an {@link InsufficientMemoryError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is InsufficientMemoryError {
    return PioError.isInstance(error) && error.code === 'PIO_INSUFFICIENT_MEMORY';
  }
}
