import { PioError, type PioErrorOptions } from '@pio/core';

/** A plugin was asked to serve text generation but does not implement `TextModelPluginInterface`. */
export class NotATextModelError extends PioError {
  /** The plugin's name. */
  readonly pluginName: string;

  constructor(pluginName: string, options: PioErrorOptions = {}) {
    super(
      'PIO_NOT_A_TEXT_MODEL',
      `Plugin "${pluginName}" is not a text model plugin, so the CLI and server cannot generate with it. Use a text plugin.`,
      options,
    );
    this.name = 'NotATextModelError';
    this.pluginName = pluginName;
  }

  /** True when `error` is a {@link NotATextModelError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is NotATextModelError {
    return PioError.isInstance(error) && error.code === 'PIO_NOT_A_TEXT_MODEL';
  }
}
