/**
 * The released `zai-org/GLM-4.7-Flash` `config.json` values that size the model (architecture fields only). Sources:
 * the defaults of transformers' `Glm4MoeLiteConfig` (documented as the released checkpoint) and vLLM's
 * `glm4_moe_lite` config test, which agree. Used by `estimateMemory` examples, tests and the bench.
 */
export const REAL_GLM47_FLASH_CONFIG = {
  architectures: ['Glm4MoeLiteForCausalLM'],
  model_type: 'glm4_moe_lite',
  vocab_size: 154880,
  hidden_size: 2048,
  intermediate_size: 10240,
  moe_intermediate_size: 1536,
  num_hidden_layers: 47,
  num_attention_heads: 20,
  num_key_value_heads: 20,
  n_shared_experts: 1,
  n_routed_experts: 64,
  routed_scaling_factor: 1.8,
  kv_lora_rank: 512,
  q_lora_rank: 768,
  qk_rope_head_dim: 64,
  v_head_dim: 256,
  qk_nope_head_dim: 192,
  n_group: 1,
  topk_group: 1,
  num_experts_per_tok: 4,
  norm_topk_prob: true,
  first_k_dense_replace: 1,
  hidden_act: 'silu',
  rms_norm_eps: 1e-5,
  rope_theta: 1000000,
  rope_scaling: null,
  max_position_embeddings: 202752,
  num_nextn_predict_layers: 1,
  attention_bias: false,
  tie_word_embeddings: false,
} as const;
