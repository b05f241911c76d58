import { PioError, type PioErrorOptions } from '@pio/core';

/** `registerModel` was given an id that is already in use. */
export class ModelAlreadyRegisteredError extends PioError {
  /** The id in use. */
  readonly modelId: string;

  constructor(modelId: string, options: PioErrorOptions = {}) {
    super(
      'PIO_MODEL_ALREADY_REGISTERED',
      `A model with id '${modelId}' is already registered. Choose another model_id or DELETE /models/${modelId} first.`,
      options,
    );
    this.name = 'ModelAlreadyRegisteredError';
    this.modelId = modelId;
  }

  /** True when `error` is a {@link ModelAlreadyRegisteredError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is ModelAlreadyRegisteredError {
    return PioError.isInstance(error) && error.code === 'PIO_MODEL_ALREADY_REGISTERED';
  }
}
