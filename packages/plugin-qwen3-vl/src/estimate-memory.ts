import { resolveContextLength, WEIGHT_STORAGE_BYTES, type MemoryEstimate, type WeightStorage } from '@pio/core';
import { DEFAULT_PREFILL_CHUNK_SIZE } from '@pio/core/nn';
import type { Qwen3VLConfig } from './qwen3-vl-config.js';

/** Parameter counts of a Qwen3-VL model, split by what the weight storage applies to. */
export interface Qwen3VLParameterCount {
  /** Matrices of linear layers and embedding tables (stored in the requested storage). */
  matrices: number;
  /** Norm scales, biases, the patch kernel and the position table (kept in float32). */
  plain: number;
  /** `matrices + plain`. */
  total: number;
}

/** Counts the parameters of the model a config describes (text decoder + vision tower + mergers). */
export function countQwen3VLParameters(config: Qwen3VLConfig, tiedHead = config.text.tieWordEmbeddings): Qwen3VLParameterCount {
  const t = config.text;
  const q = t.numHeads * t.headDim;
  const kv = t.numKvHeads * t.headDim;
  const layerMatrices = t.hiddenSize * (2 * q + 2 * kv) + 3 * t.hiddenSize * t.intermediateSize;
  const layerPlain = 2 * t.headDim + 2 * t.hiddenSize + (t.attentionBias ? 2 * q + 2 * kv - q + t.hiddenSize : 0);
  let matrices = t.numLayers * layerMatrices + t.vocabSize * t.hiddenSize * (tiedHead ? 1 : 2);
  let plain = t.numLayers * layerPlain + t.hiddenSize;

  const v = config.vision;
  const h = v.hiddenSize;
  const block = v.hiddenSize * v.spatialMergeSize ** 2;
  plain += h * v.inChannels * v.temporalPatchSize * v.patchSize ** 2 + h + v.numPositionEmbeddings * h;
  matrices += v.depth * (4 * h * h + 2 * h * v.intermediateSize);
  plain += v.depth * (4 * h + 3 * h + h + v.intermediateSize + h);
  const mergers = 1 + v.deepstackVisualIndexes.length;
  matrices += mergers * (block * block + block * v.outHiddenSize);
  plain += mergers * (block + v.outHiddenSize) + 2 * h + v.deepstackVisualIndexes.length * 2 * block;
  return { matrices, plain, total: matrices + plain };
}

/**
 * Memory needed to run the model with `storage` for linear/embedding weights: weights, plus the float32 KV cache
 * for `contextLength` tokens (default the model's, see `resolveContextLength`) and the activations of one prefill
 * chunk (batch 1; prompts run in chunks of at most 512 positions: its attention scores over the whole context in one
 * layer, hidden and MLP buffers, last-position logits).
 */
export function estimateQwen3VLMemory(
  config: Qwen3VLConfig,
  storage: WeightStorage,
  contextLength = resolveContextLength(config.text.maxPositionEmbeddings),
): MemoryEstimate {
  const params = countQwen3VLParameters(config);
  const weightBytes = Math.ceil(params.matrices * WEIGHT_STORAGE_BYTES[storage] + params.plain * 4);
  const t = config.text;
  const kvCache = 2 * t.numLayers * t.numKvHeads * t.headDim * contextLength * 4;
  const chunk = Math.min(DEFAULT_PREFILL_CHUNK_SIZE, contextLength);
  const activations =
    chunk * (4 * t.hiddenSize + 3 * t.intermediateSize + 2 * t.numHeads * t.headDim) * 4 + t.numHeads * chunk * contextLength * 4 + t.vocabSize * 4;
  const runtimeBytes = kvCache + activations;
  return { storage, parameters: params.total, weightBytes, runtimeBytes, contextLength, totalBytes: weightBytes + runtimeBytes };
}
