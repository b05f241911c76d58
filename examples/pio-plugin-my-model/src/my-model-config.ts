import { baseConfigSchema, parseConfig } from '@pio/core';
import { z } from 'zod';

/** zod schema of a MyModel `config.json` (Hugging Face's snake_case names), read as a camelCase {@link MyModelConfig}. */
export const myModelConfigSchema = baseConfigSchema
  .extend({
    model_type: z.literal('my_model'),
    hidden_size: z.number().int().positive(),
    vocab_size: z.number().int().positive(),
    rms_norm_eps: z.number().positive().default(1e-6),
    max_position_embeddings: z.number().int().positive().default(4096),
  })
  .transform((c) => ({ hiddenSize: c.hidden_size, vocabSize: c.vocab_size, rmsNormEps: c.rms_norm_eps, maxPositionEmbeddings: c.max_position_embeddings }));

/** A validated MyModel config (`maxPositionEmbeddings`: its context length unless loaded with another). */
export type MyModelConfig = z.output<typeof myModelConfigSchema>;

/** Parses a `config.json` object; throws `InvalidConfigError` naming every bad field with its path. */
export function parseMyModelConfig(json: unknown, source = 'config.json'): MyModelConfig {
  return parseConfig(myModelConfigSchema, json, { source });
}
