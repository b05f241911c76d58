import { PioError, type PioErrorOptions } from './pio-error.js';

/** A decoder session was used out of order (`step` before `prefill`, `prefill` twice) or with the wrong number of tokens. */
export class DecoderSessionError extends PioError {
  /** What went wrong, e.g. `step() was called before prefill()`. */
  readonly problem: string;

  constructor(fields: { problem: string }, options: PioErrorOptions = {}) {
    super('PIO_DECODER_SESSION', `Decoder session misuse: ${fields.problem}. Call prefill() once, then step() with one token per row.`, options);
    this.name = 'DecoderSessionError';
    this.problem = fields.problem;
  }

  /** True when `error` is a {@link DecoderSessionError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is DecoderSessionError {
    return PioError.isInstance(error) && error.code === 'PIO_DECODER_SESSION';
  }
}
