import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin tried to use the network at a trust level that may not (`sandboxed`). */
export class NetworkNotAllowedError extends PioError {
  /** The plugin's trust level. */
  readonly level: string;
  /** The URL it asked for. */
  readonly url: string;

  constructor(fields: { level: string; url: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_NETWORK_NOT_ALLOWED',
      `A ${fields.level} plugin may not use the network (asked for ${fields.url}). Pass the data itself (e.g. image bytes or ` +
        `a data: URL), or raise the plugin's trust level to "verified" in the trust policy.`,
      options,
    );
    this.name = 'NetworkNotAllowedError';
    this.level = fields.level;
    this.url = fields.url;
  }

  /** True when `error` is a {@link NetworkNotAllowedError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is NetworkNotAllowedError {
    return PioError.isInstance(error) && error.code === 'PIO_NETWORK_NOT_ALLOWED';
  }
}
