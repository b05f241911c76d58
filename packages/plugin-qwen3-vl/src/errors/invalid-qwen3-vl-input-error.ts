import { PioError, type PioErrorOptions } from '@pio/core';

/** Inputs of a Qwen3-VL forward pass do not agree (shapes, image tokens vs. images, batch sizes). */
export class InvalidQwen3VLInputError extends PioError {
  /** The input field at fault, e.g. `pixelValues` or `imageGridThw`. */
  readonly field: string;

  constructor(fields: { field: string; detail: string; hint?: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_QWEN3_VL_INVALID_INPUT',
      `Invalid Qwen3-VL input \`${fields.field}\`: ${fields.detail}. ` +
        (fields.hint ?? 'Preprocess images with preprocessImages() and expand each image token to its grid size (expandImageTokens()).'),
      options,
    );
    this.name = 'InvalidQwen3VLInputError';
    this.field = fields.field;
  }

  /** True when `error` is an {@link InvalidQwen3VLInputError} from any copy of this package. */
  static override isInstance(error: unknown): error is InvalidQwen3VLInputError {
    return PioError.isInstance(error) && error.code === 'PIO_QWEN3_VL_INVALID_INPUT';
  }
}
