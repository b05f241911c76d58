import { z } from 'zod';

/** zod schema of {@link Qwen3VLPluginOptions}. */
export const qwen3VLPluginOptionsSchema = z.object({
  /** Default weight storage for linear and embedding weights when `loadModel` names none. */
  storage: z.enum(['float32', 'float16', 'bfloat16', 'int8', 'int4', 'q8_0', 'q4_0', 'q4_k']).optional(),
  /**
   * Context length (tokens) of loaded models and of `estimateMemory` when `loadModel`/`estimateMemory` name none.
   * Default: the config's `max_position_embeddings`, at most `DEFAULT_CONTEXT_LENGTH_LIMIT` (`resolveContextLength`).
   */
  contextLength: z.number().int().positive().optional(),
  /** Folder relative image paths are read from. Default: the process's working folder when the model loads. */
  imageBaseDir: z.string().optional(),
  /**
   * Most pixels one image takes in the vision encoder: larger images are resized down (smart_resize) to fit, below the
   * model's own `max_pixels`. Vision attention grows with the square of the patch count, so this bounds the work and
   * memory of one image. A manager's `limits.maxVisionPixels` wins. Default 1 048 576 (1024x1024, 1024 image tokens).
   */
  maxVisionPixels: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Milliseconds before an image download is abandoned. Default 30 000. */
  imageTimeoutMs: z.number().int().positive().default(30_000),
});

/** Options of `createQwen3VLPlugin`. */
export type Qwen3VLPluginOptions = z.input<typeof qwen3VLPluginOptionsSchema>;

/** {@link Qwen3VLPluginOptions} as parsed (defaults filled in). */
export type Qwen3VLPluginSettings = z.output<typeof qwen3VLPluginOptionsSchema>;
