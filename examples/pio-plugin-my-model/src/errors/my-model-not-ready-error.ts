import { PioError, type PioErrorOptions } from '@pio/core';

/** The plugin was used before it was initialized or before a model was loaded. */
export class MyModelNotReadyError extends PioError {
  /** The call that must come first, e.g. `loadModel({ modelPath })`. */
  readonly missingStep: string;

  constructor(missingStep: string, options: PioErrorOptions = {}) {
    super('MY_MODEL_NOT_READY', `The my-model plugin is not ready: call ${missingStep} first.`, options);
    this.name = 'MyModelNotReadyError';
    this.missingStep = missingStep;
  }

  /** True when `error` is a {@link MyModelNotReadyError} from any copy of this package. */
  static override isInstance(error: unknown): error is MyModelNotReadyError {
    return PioError.isInstance(error) && error.code === 'MY_MODEL_NOT_READY';
  }
}
