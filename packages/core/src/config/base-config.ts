import { z } from 'zod';

/**
 * zod schema of the fields every Hugging Face `config.json` shares. Unknown keys pass through, so plugins
 * `.extend()` it with their own fields:
 *
 * ```ts
 * const myConfigSchema = baseConfigSchema.extend({ hidden_size: z.number().int().positive() });
 * ```
 *
 * Field names are Hugging Face's own (snake_case): this is their wire format.
 */
export const baseConfigSchema = z.looseObject({
  /** Model classes the checkpoint is for, e.g. `Qwen3VLForConditionalGeneration`. */
  architectures: z.array(z.string()).optional(),
  /** The model family, e.g. `qwen3_vl`, `glm4_moe_lite`. */
  model_type: z.string().min(1),
  /** Dtype of the checkpoint's weights (transformers < 5), e.g. `bfloat16`. */
  torch_dtype: z.string().nullish(),
  /** Dtype of the checkpoint's weights (transformers >= 5). */
  dtype: z.string().nullish(),
  /** The transformers version that wrote the file. */
  transformers_version: z.string().optional(),
});

/** A parsed `config.json`: the shared fields plus any others. */
export type BaseConfig = z.output<typeof baseConfigSchema>;

/** The checkpoint dtype a config declares (`dtype`, else `torch_dtype`), or `undefined`. */
export function configDtype(config: Pick<BaseConfig, 'dtype' | 'torch_dtype'>): string | undefined {
  return config.dtype ?? config.torch_dtype ?? undefined;
}
