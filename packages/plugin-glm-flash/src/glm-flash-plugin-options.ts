import { textModelPluginOptionsSchema } from '@pio/core/plugin-kit';
import { z } from 'zod';

/**
 * zod schema of {@link GlmFlashPluginOptions}: the kit's `storage` (default `bfloat16` where the backend holds it,
 * else `float32`; `bfloat16`, `int8` or `int4` keep the 30 B weights compact) and `contextLength`, and the MoE settings.
 */
export const glmFlashPluginOptionsSchema = textModelPluginOptionsSchema.extend({
  /** Group size of `int8` / `int4` scales (default 64). */
  groupSize: z.number().int().positive().optional(),
  /** Most routed experts resident at once (LRU); default all experts, loaded up front. */
  expertCapacity: z.number().positive().optional(),
});

/** Options of `createGlmFlashPlugin`. */
export type GlmFlashPluginOptions = z.input<typeof glmFlashPluginOptionsSchema>;
