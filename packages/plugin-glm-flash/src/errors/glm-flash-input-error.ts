import { PioError, type PioErrorOptions } from '@pio/core';

/** A raw-model input of the GLM-4.7-Flash plugin is malformed (ragged rows, a mask that does not match, ids out of range). */
export class GlmFlashInputError extends PioError {
  /** The input field at fault, e.g. `inputIds[1]` or `attentionMask`. */
  readonly field: string;
  /** What was wrong. */
  readonly problem: string;

  constructor(fields: { field: string; problem: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_GLM_FLASH_INPUT',
      `Invalid GLM-4.7-Flash input ${fields.field}: ${fields.problem}. Pass rectangular, left-padded token id rows ` +
        'with a matching 0/1 attention mask and ids below the vocabulary size.',
      options,
    );
    this.name = 'GlmFlashInputError';
    this.field = fields.field;
    this.problem = fields.problem;
  }

  /** True when `error` is a {@link GlmFlashInputError} from any copy of this package. */
  static override isInstance(error: unknown): error is GlmFlashInputError {
    return PioError.isInstance(error) && error.code === 'PIO_GLM_FLASH_INPUT';
  }
}
