import { PioError, type PioErrorOptions } from './pio-error.js';

/** A checkpoint tensor's shape differs from the shape the model expects (usually a config/checkpoint mismatch). */
export class WeightShapeError extends PioError {
  /** The module's name for the tensor. */
  readonly tensor: string;
  /** The tensor's name in the checkpoint (differs from {@link WeightShapeError.tensor} after renaming). */
  readonly checkpointName: string;
  /** Shape the model expects. */
  readonly expected: readonly number[];
  /** Shape found in the checkpoint. */
  readonly found: readonly number[];

  constructor(
    fields: { tensor: string; checkpointName: string; expected: readonly number[]; found: readonly number[]; modelDir: string },
    options: PioErrorOptions = {},
  ) {
    const alias = fields.checkpointName === fields.tensor ? '' : ` (checkpoint name "${fields.checkpointName}")`;
    super(
      'PIO_WEIGHT_SHAPE',
      `Tensor "${fields.tensor}"${alias} in ${fields.modelDir} has shape [${fields.found.join(', ')}], the model expects ` +
        `[${fields.expected.join(', ')}]. The checkpoint does not match config.json: use the config that came with these weights.`,
      options,
    );
    this.name = 'WeightShapeError';
    this.tensor = fields.tensor;
    this.checkpointName = fields.checkpointName;
    this.expected = [...fields.expected];
    this.found = [...fields.found];
  }

  /** True when `error` is a {@link WeightShapeError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is WeightShapeError {
    return PioError.isInstance(error) && error.code === 'PIO_WEIGHT_SHAPE';
  }
}
