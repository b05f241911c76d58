import { PioError, type PioErrorOptions } from './pio-error.js';

/**
 * A prompt does not fit in the model's context length. Raised before anything is allocated for it (no KV cache, no
 * forward pass). The server answers it with HTTP 400 (`context_length_exceeded`).
 */
export class ContextLengthExceededError extends PioError {
  /** Positions the prompt needs (the longest row of a batch, after left padding). */
  readonly promptTokens: number;
  /** The model's context length (its config's `max_position_embeddings`, or the `contextLength` it was loaded with). */
  readonly contextLength: number;

  constructor(fields: { promptTokens: number; contextLength: number }, options: PioErrorOptions = {}) {
    super(
      'PIO_CONTEXT_LENGTH_EXCEEDED',
      `The prompt has ${fields.promptTokens} tokens, more than the model's context length of ${fields.contextLength}. ` +
        `Shorten the prompt (or the conversation), or load the model with a larger contextLength (--context-size) if it supports one.`,
      options,
    );
    this.name = 'ContextLengthExceededError';
    this.promptTokens = fields.promptTokens;
    this.contextLength = fields.contextLength;
  }

  /** True when `error` is a {@link ContextLengthExceededError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ContextLengthExceededError {
    return PioError.isInstance(error) && error.code === 'PIO_CONTEXT_LENGTH_EXCEEDED';
  }
}
