import { PioError, type PioErrorOptions } from './pio-error.js';

/** A request gives the model an input it cannot take (images to a text-only model, chat messages to a model without a chat template). */
export class UnsupportedInputError extends PioError {
  /** What was given. */
  readonly input: 'images' | 'chat';

  constructor(fields: { input: 'images' | 'chat'; hint: string }, options: PioErrorOptions = {}) {
    super('PIO_UNSUPPORTED_INPUT', `This model cannot take ${fields.input === 'images' ? 'images' : 'chat messages'}: ${fields.hint}`, options);
    this.name = 'UnsupportedInputError';
    this.input = fields.input;
  }

  /** True when `error` is an {@link UnsupportedInputError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is UnsupportedInputError {
    return PioError.isInstance(error) && error.code === 'PIO_UNSUPPORTED_INPUT';
  }
}
