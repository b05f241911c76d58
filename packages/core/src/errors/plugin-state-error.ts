import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin was used in the wrong lifecycle state (executed while inactive, activated with another model, ...). */
export class PluginStateError extends PioError {
  /** The plugin name. */
  readonly pluginName: string;
  /** The plugin's state when the call was made, e.g. `inactive`, `activating`, `active`. */
  readonly state: string;

  constructor(fields: { pluginName: string; state: string; message: string }, options: PioErrorOptions = {}) {
    super('PIO_PLUGIN_STATE', `Plugin "${fields.pluginName}" is ${fields.state}: ${fields.message}`, options);
    this.name = 'PluginStateError';
    this.pluginName = fields.pluginName;
    this.state = fields.state;
  }

  /** True when `error` is a {@link PluginStateError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is PluginStateError {
    return PioError.isInstance(error) && error.code === 'PIO_PLUGIN_STATE';
  }
}
