import { PioError, type PioErrorOptions } from '@pio/core';

/** A request named a model id that the server does not host. */
export class ModelNotRegisteredError extends PioError {
  /** The unknown model id. */
  readonly modelId: string;

  constructor(modelId: string, options: PioErrorOptions = {}) {
    super(
      'PIO_MODEL_NOT_REGISTERED',
      `The model '${modelId}' does not exist. List the served models with GET /v1/models, or register it with POST /models/register.`,
      options,
    );
    this.name = 'ModelNotRegisteredError';
    this.modelId = modelId;
  }

  /** True when `error` is a {@link ModelNotRegisteredError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is ModelNotRegisteredError {
    return PioError.isInstance(error) && error.code === 'PIO_MODEL_NOT_REGISTERED';
  }
}
