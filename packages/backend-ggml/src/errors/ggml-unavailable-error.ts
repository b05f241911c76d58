import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link GgmlUnavailableError}. */
export interface GgmlUnavailableFields {
  /** The `process.platform-process.arch` pair, e.g. `linux-x64`. */
  platform: string;
  /** The npm packages that were looked for, in order. */
  packages: readonly string[];
  /** Why none could be used, e.g. `not installed` or the load error's message. */
  reason: string;
}

/** No prebuilt ggml library (or `koffi`) could be loaded for this platform. */
export class GgmlUnavailableError extends PioError {
  /** The platform the libraries were looked for. */
  readonly platform: string;
  /** The packages that were looked for. */
  readonly packages: readonly string[];
  /** Why none could be used. */
  readonly reason: string;

  constructor(fields: GgmlUnavailableFields, options: PioErrorOptions = {}) {
    super(
      'PIO_GGML_UNAVAILABLE',
      `No ggml build could be loaded for ${fields.platform} (${fields.reason}). Install \`koffi\` and one of ` +
        `${fields.packages.map((p) => `\`${p}@3.22.1\``).join(', ')} next to @pio/backend-ggml, or use @pio/backend-tfjs.`,
      options,
    );
    this.name = 'GgmlUnavailableError';
    this.platform = fields.platform;
    this.packages = fields.packages;
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link GgmlUnavailableError} from any copy of `@pio/backend-ggml`. */
  static override isInstance(error: unknown): error is GgmlUnavailableError {
    return PioError.isInstance(error) && error.code === 'PIO_GGML_UNAVAILABLE';
  }
}
