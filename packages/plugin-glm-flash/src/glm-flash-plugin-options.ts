import { textModelPluginOptionsSchema } from '@pio/core/plugin-kit';
import { z } from 'zod';

/**
 * zod schema of {@link GlmFlashPluginOptions}: the kit's `storage` (default `bfloat16` where the backend holds it,
 * else `float32`; `bfloat16`, `int8` or `int4` keep the 30 B weights compact) and `contextLength`, and the MoE settings.
 */
export const glmFlashPluginOptionsSchema = textModelPluginOptionsSchema.extend({
  /** Group size of `int8` / `int4` scales (default 64). */
  groupSize: z.number().int().positive().optional(),
  /** Most routed experts resident at once in all layers together (LRU, each expert run on its own rows); default all experts, loaded up front. */
  expertCapacity: z.number().positive().optional(),
  /**
   * Routed experts resident per MoE layer (at least `num_experts_per_tok`), held in stacked slots the in-graph expert
   * product reads; missed experts are read from the checkpoint into the least recently used slots. Default: all.
   * `LoadModelOptions.expertBudget` (the CLI's `--expert-budget`) wins over it.
   */
  expertBudget: z.number().int().positive().optional(),
  /**
   * Under an expert budget, compute decode steps in one graph as if every expert they route to were resident, and run
   * a step again layer by layer when one was not (`GlmFlashModelLoadOptions.guessSteps`). Default true.
   */
  guessSteps: z.boolean().optional(),
});

/** Options of `createGlmFlashPlugin`. */
export type GlmFlashPluginOptions = z.input<typeof glmFlashPluginOptionsSchema>;
