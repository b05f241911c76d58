import { PioError, type PioErrorOptions } from './pio-error.js';

/** A tensor was read by name from a safetensors file or checkpoint that does not hold it. */
export class TensorNotFoundError extends PioError {
  /** The tensor name asked for. */
  readonly tensor: string;
  /** The file or folder searched. */
  readonly path: string;

  constructor(fields: { tensor: string; path: string }, options: PioErrorOptions = {}) {
    super('PIO_TENSOR_NOT_FOUND', `${fields.path} has no tensor "${fields.tensor}". Check the name with names() (or has()) before reading it.`, options);
    this.name = 'TensorNotFoundError';
    this.tensor = fields.tensor;
    this.path = fields.path;
  }

  /** True when `error` is a {@link TensorNotFoundError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is TensorNotFoundError {
    return PioError.isInstance(error) && error.code === 'PIO_TENSOR_NOT_FOUND';
  }
}
