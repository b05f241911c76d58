import { PioError, type PioErrorOptions } from './pio-error.js';

/** Two different packages declare the same plugin name; neither is used, since PIO cannot tell which one is meant. */
export class DuplicatePluginError extends PioError {
  /** The plugin name both declare. */
  readonly pluginName: string;
  /** The packages, as `name@version (folder)`. */
  readonly packages: readonly string[];

  constructor(fields: { pluginName: string; packages: readonly string[] }, options: PioErrorOptions = {}) {
    super(
      'PIO_DUPLICATE_PLUGIN',
      `Plugin "${fields.pluginName}" is served by more than one package: ${fields.packages.join(' and ')}. ` +
        'Uninstall the one you do not want (or remove it from the plugin search path); neither is used until then.',
      options,
    );
    this.name = 'DuplicatePluginError';
    this.pluginName = fields.pluginName;
    this.packages = [...fields.packages];
  }

  /** True when `error` is a {@link DuplicatePluginError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is DuplicatePluginError {
    return PioError.isInstance(error) && error.code === 'PIO_DUPLICATE_PLUGIN';
  }
}
