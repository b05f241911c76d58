import { PioError, type PioErrorOptions } from './pio-error.js';

/** What is wrong with a checkpoint folder (see {@link CheckpointError.problem}). */
export type CheckpointProblem =
  /** Neither `model.safetensors` nor `model.safetensors.index.json` is in the folder. */
  | 'no-weights'
  /** `model.safetensors.index.json` is not valid JSON with a `weight_map` of names to shard files. */
  | 'bad-index'
  /** A shard named by the index does not exist (or its name leaves the model folder). */
  | 'missing-shard'
  /** The index maps a tensor to a shard whose header does not hold it. */
  | 'tensor-not-in-shard'
  /** The same tensor name is stored in two shards. */
  | 'duplicate-tensor'
  /** A weights file is missing, is not a regular file, or cannot be read. */
  | 'unreadable-file'
  /** The checkpoint was read after `close()`. */
  | 'closed'
  /** A partial read asked for bytes outside the tensor. */
  | 'bad-range';

/** A checkpoint folder is incomplete or inconsistent (bad shard index, missing shard, duplicated tensor). */
export class CheckpointError extends PioError {
  /** The model folder or file concerned. */
  readonly path: string;
  /** The kind of problem. */
  readonly problem: CheckpointProblem;
  /** The shard file concerned, when there is one. */
  readonly file: string | undefined;
  /** The tensor concerned, when there is one. */
  readonly tensor: string | undefined;

  constructor(fields: { path: string; problem: CheckpointProblem; detail: string; file?: string; tensor?: string }, options: PioErrorOptions = {}) {
    const hint =
      fields.problem === 'closed'
        ? 'Open the checkpoint again before reading from it.'
        : fields.problem === 'bad-range'
          ? 'Read a byte range inside the tensor: offset >= 0 and offset + length <= its byte length.'
          : 'The folder is incomplete or damaged: download the model again (pio pull) or point PIO at a complete model folder.';
    super('PIO_CHECKPOINT_INVALID', `${fields.path}: ${fields.detail}. ${hint}`, options);
    this.name = 'CheckpointError';
    this.path = fields.path;
    this.problem = fields.problem;
    this.file = fields.file;
    this.tensor = fields.tensor;
  }

  /** True when `error` is a {@link CheckpointError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is CheckpointError {
    return PioError.isInstance(error) && error.code === 'PIO_CHECKPOINT_INVALID';
  }
}
