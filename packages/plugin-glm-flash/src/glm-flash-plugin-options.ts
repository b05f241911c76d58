import { z } from 'zod';

/** zod schema of {@link GlmFlashPluginOptions}. */
export const glmFlashPluginOptionsSchema = z.object({
  /** Default weight storage when `loadModel` names none: `bfloat16`, `int8` or `int4` keep the 30 B weights compact. Default `float32` if the backend holds nothing smaller, else `bfloat16`. */
  storage: z.enum(['float32', 'float16', 'bfloat16', 'int8', 'int4', 'q8_0', 'q4_0', 'q4_k']).optional(),
  /** Group size of `int8` / `int4` scales (default 64). */
  groupSize: z.number().int().positive().optional(),
  /** Most routed experts resident at once (LRU); default all experts, loaded up front. */
  expertCapacity: z.number().positive().optional(),
});

/** Options of `createGlmFlashPlugin`. */
export type GlmFlashPluginOptions = z.input<typeof glmFlashPluginOptionsSchema>;
