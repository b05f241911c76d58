import { PioError, type PioErrorOptions } from './pio-error.js';

/** What was wrong with a model's logits. */
export type ModelOutputProblem = 'shape' | 'not-finite';

/** A model gave the generation engine unusable logits: the wrong shape or dtype, or a row with no finite value (a plugin bug). */
export class ModelOutputError extends PioError {
  /** What was wrong. */
  readonly problem: ModelOutputProblem;
  /** The shape the engine expected, `[batch, vocab]`. */
  readonly expectedShape: readonly number[];
  /** The shape the model returned. */
  readonly actualShape: readonly number[];
  /** The dtype the model returned. */
  readonly actualDtype: string;

  constructor(
    fields: { problem: ModelOutputProblem; expectedShape: readonly number[]; actualShape: readonly number[]; actualDtype: string; row?: number },
    options: PioErrorOptions = {},
  ) {
    const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
    const message =
      fields.problem === 'shape'
        ? `The model returned logits of shape ${shape(fields.actualShape)} (${fields.actualDtype}); the generation engine needs ` +
          `float32 ${shape(fields.expectedShape)} ([batch, vocab]). Fix the plugin's DecoderSession or its vocabSize.`
        : `The model returned logits with no finite value${fields.row === undefined ? '' : ` in row ${fields.row}`} (NaN or ` +
          `infinite everywhere). Check the weights and the plugin's numerics (overflow in float16/bfloat16 conversion, masks).`;
    super('PIO_MODEL_OUTPUT', message, options);
    this.name = 'ModelOutputError';
    this.problem = fields.problem;
    this.expectedShape = [...fields.expectedShape];
    this.actualShape = [...fields.actualShape];
    this.actualDtype = fields.actualDtype;
  }

  /** True when `error` is a {@link ModelOutputError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ModelOutputError {
    return PioError.isInstance(error) && error.code === 'PIO_MODEL_OUTPUT';
  }
}
