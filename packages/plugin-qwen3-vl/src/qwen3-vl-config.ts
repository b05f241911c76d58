import { baseConfigSchema, describeValue, InvalidConfigError, parseConfig, type ConfigIssue } from '@pio/core';
import { z } from 'zod';

const positiveInt = z.number().int().positive();

const ropeSchema = z
  .object({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    mrope_section: z.array(z.number().int().nonnegative()).length(3),
    mrope_interleaved: z.boolean().optional(),
    rope_theta: z.number().positive().optional(),
  })
  .passthrough();

const textConfigSchema = z
  .object({
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    num_key_value_heads: positiveInt,
    head_dim: positiveInt.optional(),
    vocab_size: positiveInt,
    rms_norm_eps: z.number().positive(),
    rope_theta: z.number().positive().optional(),
    rope_scaling: ropeSchema.nullish(),
    rope_parameters: ropeSchema.nullish(),
    hidden_act: z.literal('silu').default('silu'),
    attention_bias: z.boolean().default(false),
    max_position_embeddings: positiveInt.optional(),
    tie_word_embeddings: z.boolean().optional(),
  })
  .passthrough();

const visionConfigSchema = z
  .object({
    depth: positiveInt,
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_heads: positiveInt,
    num_position_embeddings: positiveInt,
    out_hidden_size: positiveInt,
    patch_size: positiveInt,
    spatial_merge_size: positiveInt,
    temporal_patch_size: positiveInt,
    in_channels: positiveInt.default(3),
    hidden_act: z.enum(['gelu_pytorch_tanh', 'gelu']).default('gelu_pytorch_tanh'),
    deepstack_visual_indexes: z.array(z.number().int().nonnegative()).default([]),
  })
  .passthrough();

/** zod schema of a Qwen3-VL `config.json` (snake_case, as Hugging Face writes it). */
export const qwen3VLConfigJsonSchema = baseConfigSchema
  .extend({
    model_type: z.literal('qwen3_vl'),
    text_config: textConfigSchema,
    vision_config: visionConfigSchema,
    image_token_id: z.number().int().nonnegative(),
    video_token_id: z.number().int().nonnegative(),
    vision_start_token_id: z.number().int().nonnegative(),
    vision_end_token_id: z.number().int().nonnegative(),
    tie_word_embeddings: z.boolean().optional(),
  })
  .passthrough();

/** The text decoder's settings (camelCase). */
export interface Qwen3VLTextConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** Rotary pairs given to the temporal, height and width positions (sums to `headDim / 2`). */
  mropeSection: [number, number, number];
  /** Qwen3-VL interleaves T/H/W over the pairs; Qwen2-VL's chunked layout when false. */
  mropeInterleaved: boolean;
  attentionBias: boolean;
  tieWordEmbeddings: boolean;
  /** `max_position_embeddings` (default 128000, as transformers'): the model's context length unless loaded with another. */
  maxPositionEmbeddings: number;
}

/** The vision tower's settings (camelCase). */
export interface Qwen3VLVisionConfig {
  depth: number;
  hiddenSize: number;
  intermediateSize: number;
  numHeads: number;
  numPositionEmbeddings: number;
  outHiddenSize: number;
  patchSize: number;
  spatialMergeSize: number;
  temporalPatchSize: number;
  inChannels: number;
  hiddenAct: 'gelu_pytorch_tanh' | 'gelu';
  /** Vision blocks after which a DeepStack merger taps the hidden states, in order. */
  deepstackVisualIndexes: number[];
}

/** A parsed Qwen3-VL config. */
export interface Qwen3VLConfig {
  architectures: string[];
  text: Qwen3VLTextConfig;
  vision: Qwen3VLVisionConfig;
  imageTokenId: number;
  videoTokenId: number;
  visionStartTokenId: number;
  visionEndTokenId: number;
}

/** Parses a Qwen3-VL `config.json` object; throws `InvalidConfigError` naming each bad field's path. */
export function parseQwen3VLConfig(json: unknown, file = 'config.json'): Qwen3VLConfig {
  return toQwen3VLConfig(parseConfig(qwen3VLConfigJsonSchema, json, { source: file }), file);
}

/** The camelCase {@link Qwen3VLConfig} of a schema-checked config; throws `InvalidConfigError` on inconsistent fields. */
export function toQwen3VLConfig(c: z.output<typeof qwen3VLConfigJsonSchema>, file = 'config.json'): Qwen3VLConfig {
  const json: unknown = c;
  const t = c.text_config;
  const v = c.vision_config;
  const rope = t.rope_scaling ?? t.rope_parameters;
  const issues: ConfigIssue[] = [];
  const at = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], json);
  const issue = (path: string, expected: string) => issues.push({ path, expected, found: describeValue(at(path)) });
  const headDim = t.head_dim ?? t.hidden_size / t.num_attention_heads;
  const ropeTheta = t.rope_theta ?? rope?.rope_theta;
  if (!rope) issue('text_config.rope_scaling', 'an object with mrope_section');
  if (ropeTheta === undefined) issue('text_config.rope_theta', 'a number > 0');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) issue('text_config.head_dim', 'an even integer');
  if (rope && rope.mrope_section.reduce((a, b) => a + b, 0) !== headDim / 2) {
    issue('text_config.rope_scaling.mrope_section', `values summing to head_dim / 2 = ${headDim / 2}`);
  }
  if (t.num_attention_heads % t.num_key_value_heads !== 0) {
    issue('text_config.num_key_value_heads', 'a divisor of num_attention_heads');
  }
  if (v.hidden_size % v.num_heads !== 0) issue('vision_config.num_heads', 'a divisor of hidden_size');
  const side = Math.round(Math.sqrt(v.num_position_embeddings));
  if (side * side !== v.num_position_embeddings) {
    issue('vision_config.num_position_embeddings', 'a square number');
  }
  if (v.deepstack_visual_indexes.some((i) => i >= v.depth)) {
    issue('vision_config.deepstack_visual_indexes', 'indexes below depth');
  }
  if (v.deepstack_visual_indexes.length > t.num_hidden_layers) {
    issue('vision_config.deepstack_visual_indexes', 'at most num_hidden_layers entries');
  }
  if (issues.length > 0) throw new InvalidConfigError({ source: file, issues });
  return {
    architectures: c.architectures ?? ['Qwen3VLForConditionalGeneration'],
    text: {
      hiddenSize: t.hidden_size,
      intermediateSize: t.intermediate_size,
      numLayers: t.num_hidden_layers,
      numHeads: t.num_attention_heads,
      numKvHeads: t.num_key_value_heads,
      headDim,
      vocabSize: t.vocab_size,
      rmsNormEps: t.rms_norm_eps,
      ropeTheta: ropeTheta as number,
      mropeSection: rope!.mrope_section as [number, number, number],
      mropeInterleaved: rope!.mrope_interleaved ?? true,
      attentionBias: t.attention_bias,
      tieWordEmbeddings: c.tie_word_embeddings ?? t.tie_word_embeddings ?? false,
      maxPositionEmbeddings: t.max_position_embeddings ?? 128000,
    },
    vision: {
      depth: v.depth,
      hiddenSize: v.hidden_size,
      intermediateSize: v.intermediate_size,
      numHeads: v.num_heads,
      numPositionEmbeddings: v.num_position_embeddings,
      outHiddenSize: v.out_hidden_size,
      patchSize: v.patch_size,
      spatialMergeSize: v.spatial_merge_size,
      temporalPatchSize: v.temporal_patch_size,
      inChannels: v.in_channels,
      hiddenAct: v.hidden_act,
      deepstackVisualIndexes: v.deepstack_visual_indexes,
    },
    imageTokenId: c.image_token_id,
    videoTokenId: c.video_token_id,
    visionStartTokenId: c.vision_start_token_id,
    visionEndTokenId: c.vision_end_token_id,
  };
}
