import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin's code could not be imported or did not produce a valid plugin. */
export class PluginLoadError extends PioError {
  /** The plugin name (from its manifest or metadata). */
  readonly pluginName: string;
  /** The module that was imported, when the failure happened while importing. */
  readonly modulePath: string | undefined;

  constructor(fields: { pluginName: string; modulePath?: string; reason: string }, options: PioErrorOptions = {}) {
    const where = fields.modulePath === undefined ? '' : ` from ${fields.modulePath}`;
    super('PIO_PLUGIN_LOAD', `Could not load plugin "${fields.pluginName}"${where}: ${fields.reason}`, options);
    this.name = 'PluginLoadError';
    this.pluginName = fields.pluginName;
    this.modulePath = fields.modulePath;
  }

  /** True when `error` is a {@link PluginLoadError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is PluginLoadError {
    return PioError.isInstance(error) && error.code === 'PIO_PLUGIN_LOAD';
  }
}
