import { textModelPluginOptionsSchema } from '@pio/core/plugin-kit';
import { z } from 'zod';

/** zod schema of {@link Qwen3VLPluginOptions}: the kit's `storage` and `contextLength`, and the image settings. */
export const qwen3VLPluginOptionsSchema = textModelPluginOptionsSchema.extend({
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
