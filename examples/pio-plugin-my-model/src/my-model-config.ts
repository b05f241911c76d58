import { baseConfigSchema, parseConfig } from '@pio/core';
import { z } from 'zod';

/** zod schema of a MyModel `config.json` (Hugging Face's own snake_case names). */
export const myModelConfigJsonSchema = baseConfigSchema.extend({
  model_type: z.literal('my_model'),
  hidden_size: z.number().int().positive(),
  vocab_size: z.number().int().positive(),
  rms_norm_eps: z.number().positive().default(1e-6),
  max_position_embeddings: z.number().int().positive().default(4096),
});

/** A validated MyModel config. */
export interface MyModelConfig {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly rmsNormEps: number;
  /** Positions the model was trained on: its context length unless loaded with another. */
  readonly maxPositionEmbeddings: number;
}

/**
 * Parses a `config.json` object.
 *
 * @throws InvalidConfigError naming every bad field with its path.
 */
export function parseMyModelConfig(json: unknown): MyModelConfig {
  const config = parseConfig(myModelConfigJsonSchema, json, { source: 'config.json' });
  return { hiddenSize: config.hidden_size, vocabSize: config.vocab_size, rmsNormEps: config.rms_norm_eps, maxPositionEmbeddings: config.max_position_embeddings };
}
