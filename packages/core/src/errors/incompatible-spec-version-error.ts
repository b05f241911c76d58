import { PioError, type PioErrorOptions } from './pio-error.js';

/** A plugin implements a different version of the plugin spec than this copy of `@pio/core`. */
export class IncompatibleSpecVersionError extends PioError {
  /** The plugin name. */
  readonly pluginName: string;
  /** The spec version the plugin declares. */
  readonly pluginVersion: string;
  /** The spec version this copy of `@pio/core` implements. */
  readonly coreVersion: string;

  constructor(fields: { pluginName: string; pluginVersion: string; coreVersion: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_INCOMPATIBLE_SPEC_VERSION',
      `Plugin "${fields.pluginName}" implements plugin spec ${fields.pluginVersion}, but @pio/core implements ` +
        `${fields.coreVersion}. Install a version of the plugin built for spec ${fields.coreVersion}, or a @pio/core ` +
        `that implements ${fields.pluginVersion}.`,
      options,
    );
    this.name = 'IncompatibleSpecVersionError';
    this.pluginName = fields.pluginName;
    this.pluginVersion = fields.pluginVersion;
    this.coreVersion = fields.coreVersion;
  }

  /** True when `error` is an {@link IncompatibleSpecVersionError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is IncompatibleSpecVersionError {
    return PioError.isInstance(error) && error.code === 'PIO_INCOMPATIBLE_SPEC_VERSION';
  }
}
