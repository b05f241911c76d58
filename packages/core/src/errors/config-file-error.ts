import { PioError, type PioErrorOptions } from './pio-error.js';

/** A model's `config.json` is missing, unreadable or not JSON. */
export class ConfigFileError extends PioError {
  /** Path of the file. */
  readonly path: string;
  /** What went wrong. */
  readonly reason: 'missing' | 'unreadable' | 'invalid-json';

  constructor(fields: { path: string; reason: 'missing' | 'unreadable' | 'invalid-json'; detail?: string }, options: PioErrorOptions = {}) {
    const what = {
      missing: `No config file at ${fields.path}. Point to a Hugging Face model folder (it holds config.json and the .safetensors files).`,
      unreadable: `Cannot read ${fields.path}${fields.detail ? ` (${fields.detail})` : ''}. Check the file's permissions.`,
      'invalid-json': `${fields.path} is not valid JSON${fields.detail ? ` (${fields.detail})` : ''}. Download the file again.`,
    }[fields.reason];
    super('PIO_CONFIG_FILE', what, options);
    this.name = 'ConfigFileError';
    this.path = fields.path;
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link ConfigFileError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ConfigFileError {
    return PioError.isInstance(error) && error.code === 'PIO_CONFIG_FILE';
  }
}
