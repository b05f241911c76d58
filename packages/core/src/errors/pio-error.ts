const marker = Symbol.for('pio.error');

/** Options shared by every {@link PioError}. */
export interface PioErrorOptions {
  /** The error that caused this one, if any. */
  cause?: unknown;
}

/**
 * Base class of every error PIO throws.
 *
 * Use {@link PioError.isInstance} rather than `instanceof`: it works across duplicated copies of
 * `@pio/core` (two versions installed side by side), because it checks a `Symbol.for` marker.
 */
export class PioError extends Error {
  private readonly [marker] = true;

  /** A stable, machine-readable code such as `PIO_PLUGIN_NOT_FOUND`. */
  readonly code: string;

  constructor(code: string, message: string, options: PioErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PioError';
    this.code = code;
  }

  /** True when `error` is a {@link PioError} from any copy of `@pio/core`. */
  static isInstance(error: unknown): error is PioError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
