import { resolveContextLength, WEIGHT_STORAGE_BYTES, type MemoryEstimate, type WeightStorage } from '@pio/core';
import { DEFAULT_PREFILL_CHUNK_SIZE } from '@pio/core/nn';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { resolveExpertBudget } from './resolve-expert-budget.js';

/** {@link MemoryEstimate} split into the part that always stays resident and the routed experts (loadable on demand). */
export interface GlmFlashMemoryEstimate extends MemoryEstimate {
  /** Bytes of weights that stay resident: embeddings, attention, dense MLP, shared experts, routers, norms, head. */
  readonly residentWeightBytes: number;
  /** Bytes of all routed experts in the requested storage. */
  readonly expertWeightBytes: number;
  /** Bytes of one routed expert (gate, up and down projections). */
  readonly bytesPerExpert: number;
  /** Routed experts in the model (layers x experts per layer). */
  readonly totalExperts: number;
  /** KV cache bytes per token (float32 latent + rope key per layer: `(kvLoraRank + qkRopeHeadDim) * 4 * layers`). */
  readonly kvBytesPerToken: number;
}

/**
 * Memory GLM-4.7-Flash needs with `storage` for the large matrices, with `expertBudget` routed experts resident per MoE
 * layer (default all: `weightBytes` is then every weight). Norms and routers stay float32; `kv_b_proj` is held
 * twice in `storage`: as loaded for the expanded (prefill) attention and laid out per head for the absorbed (decode) form. With a bounded expert cache the need is
 * `residentWeightBytes + capacity * bytesPerExpert + runtimeBytes`.
 */
export function estimateGlmFlashMemory(
  config: GlmFlashConfig,
  storage: WeightStorage,
  contextLength = resolveContextLength(config.maxPositionEmbeddings),
  expertBudget?: number,
): GlmFlashMemoryEstimate {
  const c = config;
  const perByte = WEIGHT_STORAGE_BYTES[storage];
  const h = c.hiddenSize;
  const heads = c.numAttentionHeads;
  const qIn = c.qLoraRank ?? h;
  const attentionMatrices =
    (c.qLoraRank === null ? 0 : h * c.qLoraRank) + qIn * heads * c.qkHeadDim + h * (c.kvLoraRank + c.qkRopeHeadDim) + heads * c.vHeadDim * h;
  const kvB = c.kvLoraRank * heads * (c.qkNopeHeadDim + c.vHeadDim);
  const norms = (c.qLoraRank ?? 0) + c.kvLoraRank + 2 * h;
  const expertParams = 3 * h * c.moeIntermediateSize;
  let matrices = 2 * c.vocabSize * h;
  let float32Params = h;
  let experts = 0;
  for (const type of c.mlpLayerTypes) {
    // kv_b_proj, and its absorbed-form copy (wUkT + wUv) in the same storage
    matrices += attentionMatrices + 2 * kvB;
    float32Params += norms;
    if (type === 'dense') {
      matrices += 3 * h * c.intermediateSize;
    } else {
      matrices += c.nSharedExperts * expertParams;
      float32Params += c.nRoutedExperts * (h + 1);
      experts += c.nRoutedExperts;
    }
  }
  const residentWeightBytes = Math.round(matrices * perByte + float32Params * 4);
  const bytesPerExpert = Math.round(expertParams * perByte);
  const expertWeightBytes = experts * bytesPerExpert;
  const kvBytesPerToken = c.mlpLayerTypes.length * (c.kvLoraRank + c.qkRopeHeadDim) * 4;
  // The cache of the whole context, plus the work of one prefill chunk (prompts run in chunks of at most 512
  // positions): its hidden states, its [heads, chunk, context] attention scores, the keys and values the expanded MLA
  // form builds per head over the context, and the last position's logits.
  const chunk = Math.min(DEFAULT_PREFILL_CHUNK_SIZE, contextLength);
  const expandedKv = heads * contextLength * (c.qkNopeHeadDim + c.qkRopeHeadDim + c.vHeadDim);
  const runtimeBytes = kvBytesPerToken * contextLength + 4 * (c.vocabSize + 8 * h * chunk + heads * chunk * contextLength + expandedKv);
  const moeLayers = c.mlpLayerTypes.filter((t) => t === 'sparse').length;
  const residentPerLayer = resolveExpertBudget(c, expertBudget);
  const weightBytes = residentWeightBytes + residentPerLayer * moeLayers * bytesPerExpert;
  return {
    storage,
    parameters: matrices + float32Params - kvB * c.mlpLayerTypes.length + experts * expertParams,
    weightBytes,
    runtimeBytes,
    contextLength,
    totalBytes: weightBytes + runtimeBytes,
    residentWeightBytes,
    expertWeightBytes,
    bytesPerExpert,
    totalExperts: experts,
    kvBytesPerToken,
    experts: { residentPerLayer, perLayer: c.nRoutedExperts, layers: moeLayers, bytesPerExpert, minResidentPerLayer: c.numExpertsPerTok },
  };
}
