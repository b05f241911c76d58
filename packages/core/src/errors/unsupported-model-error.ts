import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin does not run the model in the given folder (its `supportsConfig` refused the `config.json`). */
export class UnsupportedModelError extends PioError {
  /** The plugin name. */
  readonly pluginName: string;
  /** The model folder. */
  readonly modelPath: string;
  /** `model_type` of the model's config, when present. */
  readonly modelType: string | undefined;

  constructor(fields: { pluginName: string; modelPath: string; modelType?: string; supported: readonly string[] }, options: PioErrorOptions = {}) {
    super(
      'PIO_UNSUPPORTED_MODEL',
      `Plugin "${fields.pluginName}" does not support the model at ${fields.modelPath} ` +
        `(model_type ${fields.modelType === undefined ? 'missing' : `"${fields.modelType}"`}; it supports ` +
        `${fields.supported.join(', ')}). Use findPluginForModel() to pick a plugin for this model.`,
      options,
    );
    this.name = 'UnsupportedModelError';
    this.pluginName = fields.pluginName;
    this.modelPath = fields.modelPath;
    this.modelType = fields.modelType;
  }

  /** True when `error` is an {@link UnsupportedModelError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is UnsupportedModelError {
    return PioError.isInstance(error) && error.code === 'PIO_UNSUPPORTED_MODEL';
  }
}
