import { PioError, type PioErrorOptions } from './pio-error.js';

/** A requested device or weight storage type is not available (no backend for the device, storage not supported). */
export class UnsupportedSettingError extends PioError {
  /** Which setting. */
  readonly setting: 'device' | 'storage';
  /** The value asked for. */
  readonly value: string;
  /** The values that are available. */
  readonly supported: readonly string[];

  constructor(fields: { setting: 'device' | 'storage'; value: string; supported: readonly string[] }, options: PioErrorOptions = {}) {
    super(
      'PIO_UNSUPPORTED_SETTING',
      `The ${fields.setting} "${fields.value}" is not available; choose one of: ${fields.supported.join(', ') || '(none)'}.` +
        (fields.setting === 'device' ? ' A GPU needs @tensorflow/tfjs-node-gpu and a backend created for it.' : ''),
      options,
    );
    this.name = 'UnsupportedSettingError';
    this.setting = fields.setting;
    this.value = fields.value;
    this.supported = [...fields.supported];
  }

  /** True when `error` is an {@link UnsupportedSettingError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is UnsupportedSettingError {
    return PioError.isInstance(error) && error.code === 'PIO_UNSUPPORTED_SETTING';
  }
}
