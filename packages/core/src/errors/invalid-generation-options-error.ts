import { PioError, type PioErrorOptions } from './pio-error.js';

/** A generation option or input is out of range, e.g. `topP: 1.5` or an empty prompt row. */
export class InvalidGenerationOptionsError extends PioError {
  /** Name of the option, e.g. `topP` or `inputIds[1]`. */
  readonly option: string;
  /** What the option must hold, e.g. `a number in (0, 1]`. */
  readonly expected: string;
  /** The value given. */
  readonly value: unknown;

  constructor(fields: { option: string; expected: string; value: unknown }, options: PioErrorOptions = {}) {
    super(
      'PIO_INVALID_GENERATION_OPTIONS',
      `Generation option ${fields.option} must be ${fields.expected}, got ${describe(fields.value)}. Change it and try again.`,
      options,
    );
    this.name = 'InvalidGenerationOptionsError';
    this.option = fields.option;
    this.expected = fields.expected;
    this.value = fields.value;
  }

  /** True when `error` is an {@link InvalidGenerationOptionsError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is InvalidGenerationOptionsError {
    return PioError.isInstance(error) && error.code === 'PIO_INVALID_GENERATION_OPTIONS';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length > 8 ? `an array of ${value.length}` : JSON.stringify(value);
  return String(value);
}
