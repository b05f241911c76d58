import { PioError, type PioErrorOptions } from './pio-error.js';

/** An allocation would exceed what a backend can safely hold. */
export class BackendMemoryError extends PioError {
  /** Bytes requested by the failing allocation. */
  readonly requestedBytes: number;
  /** Bytes already allocated by the backend. */
  readonly allocatedBytes: number;
  /** The backend's limit in bytes. */
  readonly limitBytes: number;

  constructor(fields: { requestedBytes: number; allocatedBytes: number; limitBytes: number; engine: string }, options: PioErrorOptions = {}) {
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
    super(
      'PIO_BACKEND_MEMORY',
      `${fields.engine}: allocating ${gib(fields.requestedBytes)} with ${gib(fields.allocatedBytes)} in use would pass the ` +
        `engine's safe limit of ${gib(fields.limitBytes)}. Use a smaller model or weight storage type, or a native engine ` +
        `(@tensorflow/tfjs-node) that has no such limit.`,
      options,
    );
    this.name = 'BackendMemoryError';
    this.requestedBytes = fields.requestedBytes;
    this.allocatedBytes = fields.allocatedBytes;
    this.limitBytes = fields.limitBytes;
  }

  /** True when `error` is a {@link BackendMemoryError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is BackendMemoryError {
    return PioError.isInstance(error) && error.code === 'PIO_BACKEND_MEMORY';
  }
}
