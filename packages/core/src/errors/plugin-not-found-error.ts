import { PioError, type PioErrorOptions } from './pio-error.js';

/** No plugin of the given name is registered with the `PluginManager`. */
export class PluginNotFoundError extends PioError {
  /** The name asked for. */
  readonly pluginName: string;
  /** Names of the plugins that are registered. */
  readonly available: readonly string[];

  constructor(fields: { pluginName: string; available: readonly string[] }, options: PioErrorOptions = {}) {
    const known = fields.available.length > 0 ? `Registered plugins: ${fields.available.join(', ')}.` : 'No plugins are registered.';
    super(
      'PIO_PLUGIN_NOT_FOUND',
      `No plugin named "${fields.pluginName}". ${known} Install a plugin package (keyword "pio-plugin") and call ` +
        `discoverPlugins(), or register it with registerPlugin().`,
      options,
    );
    this.name = 'PluginNotFoundError';
    this.pluginName = fields.pluginName;
    this.available = [...fields.available];
  }

  /** True when `error` is a {@link PluginNotFoundError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is PluginNotFoundError {
    return PioError.isInstance(error) && error.code === 'PIO_PLUGIN_NOT_FOUND';
  }
}
