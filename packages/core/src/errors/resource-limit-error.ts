import { PioError, type PioErrorOptions } from './pio-error.js';

/** A request passes one of the `PluginManager`'s limits (concurrent executions, queue length, new tokens). */
export class ResourceLimitError extends PioError {
  /** The limit passed, e.g. `maxConcurrentExecutions` or `maxNewTokens`. */
  readonly limit: string;
  /** The limit's value. */
  readonly maximum: number;
  /** What the request asked for. */
  readonly requested: number;

  constructor(fields: { limit: string; maximum: number; requested: number; advice: string }, options: PioErrorOptions = {}) {
    super('PIO_RESOURCE_LIMIT', `Limit ${fields.limit} is ${fields.maximum}, but the request needs ${fields.requested}. ${fields.advice}`, options);
    this.name = 'ResourceLimitError';
    this.limit = fields.limit;
    this.maximum = fields.maximum;
    this.requested = fields.requested;
  }

  /** True when `error` is a {@link ResourceLimitError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ResourceLimitError {
    return PioError.isInstance(error) && error.code === 'PIO_RESOURCE_LIMIT';
  }
}
