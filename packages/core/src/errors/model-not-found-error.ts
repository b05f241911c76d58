import { PioError, type PioErrorOptions } from './pio-error.js';

/** A model id or path resolves to no model folder on this machine. */
export class ModelNotFoundError extends PioError {
  /** The id or path given. */
  readonly idOrPath: string;
  /** Every folder looked at, in order. */
  readonly searched: readonly string[];

  constructor(fields: { idOrPath: string; searched: readonly string[]; repoId?: string }, options: PioErrorOptions = {}) {
    const looked = fields.searched.length > 0 ? ` Looked in: ${fields.searched.join(', ')}.` : '';
    const hint =
      fields.repoId !== undefined
        ? ` Download it with \`pio pull ${fields.repoId}\`, or pass the path of a model folder.`
        : ' Pass the path of an existing model folder, or a Hugging Face id such as `org/name` (then `pio pull org/name`).';
    super('PIO_MODEL_NOT_FOUND', `Model "${fields.idOrPath}" was not found.${looked}${hint}`, options);
    this.name = 'ModelNotFoundError';
    this.idOrPath = fields.idOrPath;
    this.searched = [...fields.searched];
  }

  /** True when `error` is a {@link ModelNotFoundError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ModelNotFoundError {
    return PioError.isInstance(error) && error.code === 'PIO_MODEL_NOT_FOUND';
  }
}
