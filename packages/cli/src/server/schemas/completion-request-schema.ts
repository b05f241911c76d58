import { z } from 'zod';
import { samplingFields } from './sampling-fields.js';

/** Body of `POST /v1/completions` (legacy text completion). Unknown fields are ignored. */
export const completionRequestSchema = z.object({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).min(1).max(16)]),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  /** Number of top log-probabilities per token (0 to 5), as in OpenAI's legacy API. */
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.literal(false, { error: 'echo is not supported' }).nullish(),
  suffix: z.null({ error: 'suffix is not supported' }).optional(),
  ...samplingFields,
});

/** A validated completion request. */
export type CompletionRequestBody = z.output<typeof completionRequestSchema>;
