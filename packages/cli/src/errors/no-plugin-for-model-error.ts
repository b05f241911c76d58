import { PioError, type PioErrorOptions } from '@pio/core';

/** No installed plugin runs the model in a folder (by its config.json `architectures` and `model_type`). */
export class NoPluginForModelError extends PioError {
  /** The model folder. */
  readonly modelPath: string;
  /** Names of the installed plugins. */
  readonly installed: readonly string[];

  constructor(fields: { modelPath: string; installed: readonly string[] }, options: PioErrorOptions = {}) {
    super(
      'PIO_NO_PLUGIN_FOR_MODEL',
      `No installed plugin runs the model at ${fields.modelPath} (installed: ${fields.installed.join(', ') || 'none'}). ` +
        'Install a plugin for its architecture (see `pio list`), or name one with --plugin.',
      options,
    );
    this.name = 'NoPluginForModelError';
    this.modelPath = fields.modelPath;
    this.installed = fields.installed;
  }

  /** True when `error` is a {@link NoPluginForModelError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is NoPluginForModelError {
    return PioError.isInstance(error) && error.code === 'PIO_NO_PLUGIN_FOR_MODEL';
  }
}
