import { decodeHostTensor, type WeightStorage } from '@pio/core';
import type { Checkpoint } from '@pio/core/weights';
import type { GgmlRowEncoder } from '@pio/backend-ggml';
import { byteLevelAlphabet, writeGguf, type GgufTensor } from './gguf-writer.js';

/** The `config.json` fields of a GLM-4.7-Flash (`glm4_moe_lite`) checkpoint that the `deepseek2` GGUF needs. */
export interface GlmGgufConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  moe_intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  q_lora_rank: number;
  kv_lora_rank: number;
  qk_nope_head_dim: number;
  qk_rope_head_dim: number;
  v_head_dim: number;
  n_routed_experts: number;
  n_shared_experts: number;
  num_experts_per_tok: number;
  n_group: number;
  topk_group: number;
  norm_topk_prob: boolean;
  routed_scaling_factor: number;
  first_k_dense_replace: number;
  rope_theta: number;
  rms_norm_eps: number;
}

/**
 * Writes a GLM-4.7-Flash safetensors checkpoint as a llama.cpp `deepseek2` GGUF, its matrices in `storage` (encoded
 * with `ggml_quantize_chunk`, the bytes PIO's ggml backend holds; norms, the router and its bias stay float32), in
 * llama.cpp's MLA layout (
 * `attn_k_b` `[heads, kv_lora, nope]` and `attn_v_b` `[heads, v, kv_lora]` split from `kv_b_proj`, experts stacked
 * `ffn_*_exps`, the correction bias as `exp_probs_b`). Vocabulary: GPT-2's byte symbols then `t<i>` (ids are fed
 * directly). Internal to the benchmark.
 */
export async function writeGlmGguf(encoder: GgmlRowEncoder, path: string, checkpoint: Checkpoint, c: GlmGgufConfig, storage: WeightStorage): Promise<void> {
  const read = async (name: string) => decodeHostTensor(await checkpoint.read(name)) as Float32Array;
  const tensors: GgufTensor[] = [];
  const plain = new Set(['ffn_gate_inp.weight', 'exp_probs_b.bias']);
  const add = (name: string, shape: number[], values: () => Promise<Float32Array>) => {
    const columns = shape[shape.length - 1];
    const rows = shape.reduce((a, b) => a * b, 1) / columns;
    const kept = shape.length < 2 || plain.has(name.replace(/^blk\.\d+\./, '')) ? 'float32' : storage;
    tensors.push({
      name,
      ggmlType: encoder.ggmlType(kept) as number,
      ne: [...shape].reverse(),
      byteLength: encoder.byteLength(kept, rows, columns),
      encode: async () => encoder.encode(kept, await values(), rows, columns),
    });
  };
  const same = (gguf: string, hf: string, shape: number[]) => add(gguf, shape, () => read(hf));
  const h = c.hidden_size;
  const heads = c.num_attention_heads;
  const kvr = c.kv_lora_rank;
  const nope = c.qk_nope_head_dim;
  const rope = c.qk_rope_head_dim;
  const v = c.v_head_dim;
  same('token_embd.weight', 'model.embed_tokens.weight', [c.vocab_size, h]);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `blk.${l}.`;
    const m = `model.layers.${l}.`;
    same(`${p}attn_norm.weight`, `${m}input_layernorm.weight`, [h]);
    same(`${p}attn_q_a.weight`, `${m}self_attn.q_a_proj.weight`, [c.q_lora_rank, h]);
    same(`${p}attn_q_a_norm.weight`, `${m}self_attn.q_a_layernorm.weight`, [c.q_lora_rank]);
    same(`${p}attn_q_b.weight`, `${m}self_attn.q_b_proj.weight`, [heads * (nope + rope), c.q_lora_rank]);
    same(`${p}attn_kv_a_mqa.weight`, `${m}self_attn.kv_a_proj_with_mqa.weight`, [kvr + rope, h]);
    same(`${p}attn_kv_a_norm.weight`, `${m}self_attn.kv_a_layernorm.weight`, [kvr]);
    const kvB = `${m}self_attn.kv_b_proj.weight`; // [heads * (nope + v), kvr]
    add(`${p}attn_k_b.weight`, [heads, kvr, nope], async () => {
      const all = await read(kvB);
      const out = new Float32Array(heads * kvr * nope);
      for (let hd = 0; hd < heads; hd++)
        for (let i = 0; i < nope; i++) for (let k = 0; k < kvr; k++) out[(hd * kvr + k) * nope + i] = all[(hd * (nope + v) + i) * kvr + k];
      return out;
    });
    add(`${p}attn_v_b.weight`, [heads, v, kvr], async () => {
      const all = await read(kvB);
      const out = new Float32Array(heads * v * kvr);
      for (let hd = 0; hd < heads; hd++) out.set(all.subarray((hd * (nope + v) + nope) * kvr, (hd + 1) * (nope + v) * kvr), hd * v * kvr);
      return out;
    });
    same(`${p}attn_output.weight`, `${m}self_attn.o_proj.weight`, [h, heads * v]);
    same(`${p}ffn_norm.weight`, `${m}post_attention_layernorm.weight`, [h]);
    if (l < c.first_k_dense_replace) {
      same(`${p}ffn_gate.weight`, `${m}mlp.gate_proj.weight`, [c.intermediate_size, h]);
      same(`${p}ffn_up.weight`, `${m}mlp.up_proj.weight`, [c.intermediate_size, h]);
      same(`${p}ffn_down.weight`, `${m}mlp.down_proj.weight`, [h, c.intermediate_size]);
      continue;
    }
    const e = c.n_routed_experts;
    const f = c.moe_intermediate_size;
    same(`${p}ffn_gate_inp.weight`, `${m}mlp.gate.weight`, [e, h]);
    same(`${p}exp_probs_b.bias`, `${m}mlp.gate.e_score_correction_bias`, [e]);
    const stack = (gguf: string, projection: string, shape: [number, number]) =>
      add(`${p}${gguf}.weight`, [e, ...shape], async () => {
        const out = new Float32Array(e * shape[0] * shape[1]);
        for (let x = 0; x < e; x++) out.set(await read(`${m}mlp.experts.${x}.${projection}.weight`), x * shape[0] * shape[1]);
        return out;
      });
    stack('ffn_gate_exps', 'gate_proj', [f, h]);
    stack('ffn_up_exps', 'up_proj', [f, h]);
    stack('ffn_down_exps', 'down_proj', [h, f]);
    const sf = f * c.n_shared_experts;
    same(`${p}ffn_gate_shexp.weight`, `${m}mlp.shared_experts.gate_proj.weight`, [sf, h]);
    same(`${p}ffn_up_shexp.weight`, `${m}mlp.shared_experts.up_proj.weight`, [sf, h]);
    same(`${p}ffn_down_shexp.weight`, `${m}mlp.shared_experts.down_proj.weight`, [h, sf]);
  }
  same('output_norm.weight', 'model.norm.weight', [h]);
  same('output.weight', 'lm_head.weight', [c.vocab_size, h]);
  const alphabet = byteLevelAlphabet();
  const tokens = Array.from({ length: c.vocab_size }, (_, i) => (i < 256 ? alphabet[i] : `t${i}`));
  const a = 'deepseek2';
  const u32 = (value: number) => ({ type: 'u32' as const, value });
  const f32 = (value: number) => ({ type: 'f32' as const, value });
  await writeGguf(
    path,
    {
      'general.architecture': { type: 'string', value: a },
      'general.name': { type: 'string', value: 'pio-bench-glm' },
      'general.alignment': u32(32),
      [`${a}.context_length`]: u32(32768),
      [`${a}.embedding_length`]: u32(h),
      [`${a}.block_count`]: u32(c.num_hidden_layers),
      [`${a}.feed_forward_length`]: u32(c.intermediate_size),
      [`${a}.attention.head_count`]: u32(heads),
      [`${a}.attention.head_count_kv`]: u32(1),
      [`${a}.attention.key_length`]: u32(kvr + rope),
      [`${a}.attention.value_length`]: u32(kvr),
      [`${a}.attention.key_length_mla`]: u32(nope + rope),
      [`${a}.attention.value_length_mla`]: u32(v),
      [`${a}.attention.q_lora_rank`]: u32(c.q_lora_rank),
      [`${a}.attention.kv_lora_rank`]: u32(kvr),
      [`${a}.attention.layer_norm_rms_epsilon`]: f32(c.rms_norm_eps),
      [`${a}.rope.freq_base`]: f32(c.rope_theta),
      [`${a}.rope.dimension_count`]: u32(rope),
      [`${a}.leading_dense_block_count`]: u32(c.first_k_dense_replace),
      [`${a}.expert_feed_forward_length`]: u32(c.moe_intermediate_size),
      [`${a}.expert_count`]: u32(c.n_routed_experts),
      [`${a}.expert_used_count`]: u32(c.num_experts_per_tok),
      [`${a}.expert_shared_count`]: u32(c.n_shared_experts),
      [`${a}.expert_group_count`]: u32(c.n_group),
      [`${a}.expert_group_used_count`]: u32(c.topk_group),
      [`${a}.expert_weights_scale`]: f32(c.routed_scaling_factor),
      [`${a}.expert_weights_norm`]: { type: 'bool', value: c.norm_topk_prob },
      [`${a}.expert_gating_func`]: u32(2),
      'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
      'tokenizer.ggml.pre': { type: 'string', value: 'default' },
      'tokenizer.ggml.tokens': { type: 'string[]', value: tokens },
      'tokenizer.ggml.token_type': { type: 'i32[]', value: new Array(c.vocab_size).fill(1) },
      'tokenizer.ggml.merges': { type: 'string[]', value: [] },
      'tokenizer.ggml.bos_token_id': u32(256),
      'tokenizer.ggml.eos_token_id': u32(257),
    },
    tensors,
  );
}
