import type { TrustLevel } from '../plugin/trust-level.js';
import { PioError, type PioErrorOptions } from './pio-error.js';

/** The trust policy refuses a plugin package an action (activation, or reading a path its level does not cover). */
export class TrustError extends PioError {
  /** The npm package (or plugin name, for plugins registered without a package). */
  readonly packageName: string;
  /** The level the policy gives the package. */
  readonly level: TrustLevel;
  /** The lowest level the action needs. */
  readonly requiredLevel: TrustLevel;

  constructor(fields: { packageName: string; level: TrustLevel; requiredLevel: TrustLevel; action: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_TRUST',
      `Refused to ${fields.action}: package "${fields.packageName}" is trusted at level "${fields.level}", but ` +
        `"${fields.requiredLevel}" is needed. If you trust this package, add it to the trust policy ` +
        `(allow: ["${fields.packageName}"] or packages: { "${fields.packageName}": "${fields.requiredLevel}" }).`,
      options,
    );
    this.name = 'TrustError';
    this.packageName = fields.packageName;
    this.level = fields.level;
    this.requiredLevel = fields.requiredLevel;
  }

  /** True when `error` is a {@link TrustError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is TrustError {
    return PioError.isInstance(error) && error.code === 'PIO_TRUST';
  }
}
