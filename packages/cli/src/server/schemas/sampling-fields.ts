import { z } from 'zod';

/** Sampling and stopping fields shared by the chat, completion and inference requests (OpenAI names and ranges). */
export const samplingFields = {
  max_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  /** Extension: keep the k most likely tokens. */
  top_k: z.number().int().min(0).nullish(),
  /** Extension: min-p sampling. */
  min_p: z.number().min(0).max(1).nullish(),
  /** Extension: transformers' repetition penalty. */
  repetition_penalty: z.number().positive().nullish(),
  /** Only one choice per request is supported. */
  n: z.literal(1, { error: 'only n = 1 is supported' }).nullish(),
};
