import { PioError, type PioErrorOptions } from './pio-error.js';

/** A weight rename table maps two checkpoint tensors to the same module name (a bug in the table). */
export class WeightRenameError extends PioError {
  /** The module name both tensors map to. */
  readonly target: string;
  /** The checkpoint names that collide. */
  readonly sources: readonly string[];

  constructor(fields: { target: string; sources: readonly string[] }, options: PioErrorOptions = {}) {
    super(
      'PIO_WEIGHT_RENAME',
      `The weight rename table maps ${fields.sources.map((s) => `"${s}"`).join(' and ')} to the same name ` +
        `"${fields.target}". Fix the table (rules apply in order, the first match wins) or declare one of them unused.`,
      options,
    );
    this.name = 'WeightRenameError';
    this.target = fields.target;
    this.sources = [...fields.sources];
  }

  /** True when `error` is a {@link WeightRenameError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is WeightRenameError {
    return PioError.isInstance(error) && error.code === 'PIO_WEIGHT_RENAME';
  }
}
