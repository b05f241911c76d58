import { PioError, type PioErrorOptions } from './pio-error.js';

/** A tensor backend refused or failed an operation (bad shapes, out of memory, unsupported dtype). */
export class BackendError extends PioError {
  /** The operation that failed, e.g. `matmul`. */
  readonly op: string;

  constructor(op: string, message: string, options: PioErrorOptions = {}) {
    super('PIO_BACKEND_ERROR', `${op}: ${message}`, options);
    this.name = 'BackendError';
    this.op = op;
  }

  /** True when `error` is a {@link BackendError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is BackendError {
    return PioError.isInstance(error) && error.code === 'PIO_BACKEND_ERROR';
  }
}
