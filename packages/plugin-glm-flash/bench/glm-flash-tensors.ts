import type { GlmFlashConfig } from '../src/glm-flash-config.js';

/** Every checkpoint tensor of a GLM-4.7-Flash config (MTP layer excluded) with its shape, in checkpoint naming. */
export function glmFlashTensorShapes(c: GlmFlashConfig): Array<[name: string, shape: number[]]> {
  const h = c.hiddenSize;
  const heads = c.numAttentionHeads;
  const out: Array<[string, number[]]> = [
    ['model.embed_tokens.weight', [c.vocabSize, h]],
    ['model.norm.weight', [h]],
    ['lm_head.weight', [c.vocabSize, h]],
  ];
  const mlp = (prefix: string, width: number) => {
    out.push([`${prefix}.gate_proj.weight`, [width, h]], [`${prefix}.up_proj.weight`, [width, h]], [`${prefix}.down_proj.weight`, [h, width]]);
  };
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `model.layers.${i}`;
    out.push([`${p}.input_layernorm.weight`, [h]], [`${p}.post_attention_layernorm.weight`, [h]]);
    if (c.qLoraRank === null) out.push([`${p}.self_attn.q_proj.weight`, [heads * c.qkHeadDim, h]]);
    else
      out.push(
        [`${p}.self_attn.q_a_proj.weight`, [c.qLoraRank, h]],
        [`${p}.self_attn.q_a_layernorm.weight`, [c.qLoraRank]],
        [`${p}.self_attn.q_b_proj.weight`, [heads * c.qkHeadDim, c.qLoraRank]],
      );
    out.push(
      [`${p}.self_attn.kv_a_proj_with_mqa.weight`, [c.kvLoraRank + c.qkRopeHeadDim, h]],
      [`${p}.self_attn.kv_a_layernorm.weight`, [c.kvLoraRank]],
      [`${p}.self_attn.kv_b_proj.weight`, [heads * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank]],
      [`${p}.self_attn.o_proj.weight`, [h, heads * c.vHeadDim]],
    );
    if (c.mlpLayerTypes[i] === 'dense') {
      mlp(`${p}.mlp`, c.intermediateSize);
    } else {
      out.push([`${p}.mlp.gate.weight`, [c.nRoutedExperts, h]], [`${p}.mlp.gate.e_score_correction_bias`, [c.nRoutedExperts]]);
      mlp(`${p}.mlp.shared_experts`, c.moeIntermediateSize * c.nSharedExperts);
      for (let e = 0; e < c.nRoutedExperts; e++) mlp(`${p}.mlp.experts.${e}`, c.moeIntermediateSize);
    }
  }
  return out;
}
