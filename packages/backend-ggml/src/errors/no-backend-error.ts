import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link NoBackendError}. */
export interface NoBackendFields {
  /** Why each backend that was tried could not start, e.g. `{ ggml: 'no ggml build for linux-arm64', tfjs: '...' }`. */
  reasons: Readonly<Record<string, string>>;
}

/** `createBestBackend` found no backend that starts here: neither ggml nor a TensorFlow.js engine. */
export class NoBackendError extends PioError {
  /** Why each backend could not start. */
  readonly reasons: Readonly<Record<string, string>>;

  constructor(fields: NoBackendFields, options: PioErrorOptions = {}) {
    const why = Object.entries(fields.reasons)
      .map(([name, reason]) => `${name}: ${reason}`)
      .join('; ');
    super(
      'PIO_NO_BACKEND',
      `No backend could start (${why}). Install \`@pio/backend-tfjs\` next to @pio/backend-ggml for the portable ` +
        'TensorFlow.js fallback, or run `pio doctor` to see what this machine needs.',
      options,
    );
    this.name = 'NoBackendError';
    this.reasons = fields.reasons;
  }

  /** True when `error` is a {@link NoBackendError} from any copy of `@pio/backend-ggml`. */
  static override isInstance(error: unknown): error is NoBackendError {
    return PioError.isInstance(error) && error.code === 'PIO_NO_BACKEND';
  }
}
