import { baseConfigSchema, parseConfig } from '@pio/core';
import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** zod schema of GLM-4.7-Flash's `config.json` (`model_type: glm4_moe_lite`), snake_case as released. Unknown fields pass. */
export const glmFlashConfigJsonSchema = baseConfigSchema
  .extend({
    model_type: z.literal('glm4_moe_lite'),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    moe_intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    num_key_value_heads: positiveInt.optional(),
    n_shared_experts: z.number().int().nonnegative().default(1),
    n_routed_experts: positiveInt,
    routed_scaling_factor: z.number().positive().default(1),
    kv_lora_rank: positiveInt,
    q_lora_rank: positiveInt.nullable().default(null),
    qk_rope_head_dim: positiveInt.refine((d) => d % 2 === 0, 'an even number'),
    v_head_dim: positiveInt,
    qk_nope_head_dim: positiveInt,
    n_group: positiveInt.default(1),
    topk_group: positiveInt.default(1),
    num_experts_per_tok: positiveInt,
    norm_topk_prob: z.boolean().default(true),
    first_k_dense_replace: z.number().int().nonnegative().default(1),
    mlp_layer_types: z
      .array(z.enum(['dense', 'sparse']))
      .nullable()
      .optional(),
    hidden_act: z.literal('silu').default('silu'),
    rms_norm_eps: z.number().positive().default(1e-5),
    rope_theta: z.number().positive().optional(),
    rope_parameters: z.looseObject({ rope_theta: z.number().positive().optional(), rope_type: z.string().optional() }).nullable().optional(),
    rope_scaling: z
      .looseObject({
        rope_type: z.string().optional(),
        type: z.string().optional(),
        factor: z.number().optional(),
        mscale_all_dim: z.number().optional(),
      })
      .nullable()
      .optional(),
    rope_interleave: z.boolean().default(true),
    attention_bias: z.boolean().default(false),
    tie_word_embeddings: z.boolean().default(false),
    max_position_embeddings: positiveInt.default(202752),
    eos_token_id: z
      .union([z.number().int(), z.array(z.number().int())])
      .nullable()
      .optional(),
    pad_token_id: z.number().int().nullable().optional(),
    num_nextn_predict_layers: z.number().int().nonnegative().default(0),
  })
  .refine((c) => c.n_routed_experts % c.n_group === 0, { message: 'n_routed_experts divisible by n_group', path: ['n_group'] })
  .refine((c) => c.topk_group <= c.n_group, { message: 'topk_group <= n_group', path: ['topk_group'] })
  .refine((c) => c.num_experts_per_tok <= c.n_routed_experts, { message: 'num_experts_per_tok <= n_routed_experts', path: ['num_experts_per_tok'] })
  .refine((c) => c.rope_interleave, { message: 'true (only the interleaved RoPE layout of the released model is supported)', path: ['rope_interleave'] })
  .refine((c) => (c.rope_scaling?.rope_type ?? c.rope_scaling?.type ?? 'default') === 'default', {
    message: 'null or rope_type "default" (YaRN scaling is not supported)',
    path: ['rope_scaling'],
  });

/** GLM-4.7-Flash's configuration, camelCase, with defaults filled in and derived sizes. */
export interface GlmFlashConfig {
  /** Vocabulary size (rows of the embedding and LM head). */
  readonly vocabSize: number;
  /** Model width. */
  readonly hiddenSize: number;
  /** Dense MLP width (the first layers). */
  readonly intermediateSize: number;
  /** Width of one routed or shared expert. */
  readonly moeIntermediateSize: number;
  /** Decoder layers (the MTP layer after them is not counted). */
  readonly numHiddenLayers: number;
  /** Attention heads. */
  readonly numAttentionHeads: number;
  /** Shared experts (run on every token) per MoE layer. */
  readonly nSharedExperts: number;
  /** Routed experts per MoE layer. */
  readonly nRoutedExperts: number;
  /** Multiplier of the routed experts' weights. */
  readonly routedScalingFactor: number;
  /** Width of the compressed KV latent. */
  readonly kvLoraRank: number;
  /** Width of the compressed query, or `null` for a plain `q_proj`. */
  readonly qLoraRank: number | null;
  /** Rotary part of each query/key head (and width of the shared rope key). */
  readonly qkRopeHeadDim: number;
  /** Non-rotary part of each query/key head. */
  readonly qkNopeHeadDim: number;
  /** Value head width. */
  readonly vHeadDim: number;
  /** `qkNopeHeadDim + qkRopeHeadDim`. */
  readonly qkHeadDim: number;
  /** Expert groups of the router. */
  readonly nGroup: number;
  /** Groups kept per token. */
  readonly topkGroup: number;
  /** Routed experts chosen per token. */
  readonly numExpertsPerTok: number;
  /** Normalise the chosen experts' weights to sum 1. */
  readonly normTopkProb: boolean;
  /** `'dense'` or `'sparse'` (MoE) per decoder layer. */
  readonly mlpLayerTypes: readonly ('dense' | 'sparse')[];
  /** Eps of the decoder norms (the MLA low-rank norms use 1e-6). */
  readonly rmsNormEps: number;
  /** RoPE base. */
  readonly ropeTheta: number;
  /** Biases on `q_a_proj`, `kv_a_proj_with_mqa` and `o_proj`. */
  readonly attentionBias: boolean;
  /** LM head shares the embedding table. */
  readonly tieWordEmbeddings: boolean;
  /** Longest context the model was trained for. */
  readonly maxPositionEmbeddings: number;
  /** End-of-sequence token ids. */
  readonly eosTokenIds: readonly number[];
  /** Padding token id, when set. */
  readonly padTokenId: number | undefined;
}

/**
 * Parses a GLM-4.7-Flash `config.json` object. Throws `InvalidConfigError` (from `@pio/core`) listing every bad field with its path.
 * @param json - The parsed `config.json`.
 * @param source - Where it came from, for error messages.
 */
export function parseGlmFlashConfig(json: unknown, source = 'config.json'): GlmFlashConfig {
  const c = parseConfig(glmFlashConfigJsonSchema, json, { source });
  const mlpLayerTypes: ('dense' | 'sparse')[] =
    c.mlp_layer_types && c.mlp_layer_types.length >= c.num_hidden_layers
      ? c.mlp_layer_types.slice(0, c.num_hidden_layers)
      : Array.from({ length: c.num_hidden_layers }, (_, i) => (i < c.first_k_dense_replace ? 'dense' : 'sparse'));
  const eos = c.eos_token_id;
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    moeIntermediateSize: c.moe_intermediate_size,
    numHiddenLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    nSharedExperts: c.n_shared_experts,
    nRoutedExperts: c.n_routed_experts,
    routedScalingFactor: c.routed_scaling_factor,
    kvLoraRank: c.kv_lora_rank,
    qLoraRank: c.q_lora_rank,
    qkRopeHeadDim: c.qk_rope_head_dim,
    qkNopeHeadDim: c.qk_nope_head_dim,
    vHeadDim: c.v_head_dim,
    qkHeadDim: c.qk_nope_head_dim + c.qk_rope_head_dim,
    nGroup: c.n_group,
    topkGroup: c.topk_group,
    numExpertsPerTok: c.num_experts_per_tok,
    normTopkProb: c.norm_topk_prob,
    mlpLayerTypes,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_parameters?.rope_theta ?? c.rope_theta ?? 10000,
    attentionBias: c.attention_bias,
    tieWordEmbeddings: c.tie_word_embeddings,
    maxPositionEmbeddings: c.max_position_embeddings,
    eosTokenIds: eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: c.pad_token_id ?? undefined,
  };
}

/** True when a parsed `config.json` names GLM-4.7-Flash (`Glm4MoeLiteForCausalLM` or `model_type: glm4_moe_lite`). Never throws. */
export function isGlmFlashConfig(json: unknown): boolean {
  if (!json || typeof json !== 'object') return false;
  const c = json as { model_type?: unknown; architectures?: unknown };
  return c.model_type === 'glm4_moe_lite' || (Array.isArray(c.architectures) && c.architectures.includes('Glm4MoeLiteForCausalLM'));
}
