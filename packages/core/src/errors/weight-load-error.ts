import { PioError, type PioErrorOptions } from './pio-error.js';

const LISTED = 20;

function list(names: readonly string[]): string {
  const head = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${head} (+${names.length - LISTED} more)` : head;
}

/**
 * A model's weights do not match its checkpoint: tensors the model needs are absent, or the checkpoint
 * holds tensors the model never took (and did not declare unused).
 */
export class WeightLoadError extends PioError {
  /** The checkpoint folder. */
  readonly modelDir: string;
  /** Module names the model asked for that the checkpoint lacks. */
  readonly missing: readonly string[];
  /** Checkpoint names never taken and not declared unused. */
  readonly unexpected: readonly string[];

  constructor(fields: { modelDir: string; missing: readonly string[]; unexpected?: readonly string[] }, options: PioErrorOptions = {}) {
    const missing = [...fields.missing];
    const unexpected = [...(fields.unexpected ?? [])];
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`${missing.length} tensor(s) the model needs are missing: ${list(missing)}`);
    if (unexpected.length > 0) parts.push(`${unexpected.length} checkpoint tensor(s) were never used: ${list(unexpected)}`);
    super(
      'PIO_WEIGHT_LOAD',
      `Weights in ${fields.modelDir} do not match the model: ${parts.join('; ')}. ` +
        `Check that the folder holds the model the plugin expects (config.json architectures) and that its download ` +
        `completed; a plugin that ignores tensors on purpose must declare them unused.`,
      options,
    );
    this.name = 'WeightLoadError';
    this.modelDir = fields.modelDir;
    this.missing = missing;
    this.unexpected = unexpected;
  }

  /** True when `error` is a {@link WeightLoadError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is WeightLoadError {
    return PioError.isInstance(error) && error.code === 'PIO_WEIGHT_LOAD';
  }
}
