import { z } from 'zod';

/** zod schema of {@link Qwen3VLPluginOptions}. */
export const qwen3VLPluginOptionsSchema = z.object({
  /** Default weight storage for linear and embedding weights when `loadModel` names none. */
  storage: z.enum(['float32', 'float16', 'bfloat16', 'int8', 'int4', 'q8_0', 'q4_0', 'q4_k']).optional(),
  /** Context length assumed by `estimateMemory` (tokens). Default 4096. */
  contextLength: z.number().int().positive().default(4096),
  /** Folder relative image paths are read from. Default: the process's working folder when the model loads. */
  imageBaseDir: z.string().optional(),
  /** Milliseconds before an image download is abandoned. Default 30 000. */
  imageTimeoutMs: z.number().int().positive().default(30_000),
});

/** Options of `createQwen3VLPlugin`. */
export type Qwen3VLPluginOptions = z.input<typeof qwen3VLPluginOptionsSchema>;
