import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of a {@link BenchModelError}. */
export interface BenchModelFields {
  /** The model folder. */
  modelPath: string;
  /** `model_type` of its `config.json`, when it could be read. */
  modelType?: string | undefined;
  /** What is wrong, e.g. `config.json is missing` or `tensor lm_head.weight is missing`. */
  reason: string;
}

/** A model folder cannot be written as a llama.cpp `qwen3` GGUF for the side-by-side benchmark. */
export class BenchModelError extends PioError {
  /** The model folder. */
  readonly modelPath: string;
  /** `model_type` of its `config.json`, when it could be read. */
  readonly modelType: string | undefined;
  /** What is wrong. */
  readonly reason: string;

  constructor(fields: BenchModelFields, options: PioErrorOptions = {}) {
    super(
      'PIO_BENCH_MODEL',
      `The model at ${fields.modelPath} cannot be compared with node-llama-cpp: ${fields.reason}. Only Qwen3 and ` +
        'Qwen3-VL text decoders (model_type qwen3, qwen3_vl) and GLM-4.7-Flash (glm4_moe_lite) can be; use --shape for random weights instead.',
      options,
    );
    this.name = 'BenchModelError';
    this.modelPath = fields.modelPath;
    this.modelType = fields.modelType;
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link BenchModelError} from any copy of `@pio/bench`. */
  static override isInstance(error: unknown): error is BenchModelError {
    return PioError.isInstance(error) && error.code === 'PIO_BENCH_MODEL';
  }
}
