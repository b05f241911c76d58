import type { DecoderShape } from './decoder-shape.js';

/** The parts of {@link prefillMemoryModel}'s bound, in bytes. */
export interface PrefillMemoryModel {
  /** The KV cache sized once for the prompt: `layers × 2 × kvHeads × headDim × positions × bytes per value`. */
  kvCacheBytes: number;
  /**
   * One prefill chunk's work at the prompt's full length (the largest chunk): activations of one layer (ggml's graph
   * allocator reuses memory across layers), the chunk's `[chunk, context]` attention mask in every form it takes (the
   * host array in JavaScript and as a graph input, broadcast, clamped, padded, float16), a copy of a layer's values
   * as rows for `flash_attn_ext` (counted as float32), the quantized activations of a matmul, and the last position's logits.
   */
  chunkWorkBytes: number;
}

/** Rows ggml's flash-attention mask is padded to (see the ggml backend's attention op). */
const MASK_ROW_PAD = 64;

/**
 * The memory a prompt of `positions` adds on top of the loaded model (weights) when core's decode session prefills
 * it in chunks of `chunk` through a KV cache of `kvBytesPerValue` (2 for float16) on the ggml backend: the KV cache
 * plus one chunk's work. An upper bound from the shape, not a measurement (every intermediate is counted as if it
 * were alive at once, which ggml's allocator avoids); what it leaves out is the runtime's own base (Node.js,
 * ggml's thread pool), which the benchmark measures before the prompt. Linear in `positions` for a fixed chunk.
 */
export function prefillMemoryModel(shape: DecoderShape, positions: number, chunk: number, kvBytesPerValue: number): PrefillMemoryModel {
  const { hidden: h, heads, kvHeads, headDim: d, intermediate: f, layers, vocab } = shape;
  const c = Math.min(chunk, positions);
  const paddedRows = Math.ceil(c / MASK_ROW_PAD) * MASK_ROW_PAD;
  const f32 = 4;
  // capacity rounded up to the cache's 256-position step
  const kvCacheBytes = layers * 2 * kvHeads * d * Math.ceil(positions / 256) * 256 * kvBytesPerValue;
  const activations =
    f32 * c * (2 * h) + // the residual stream and its norm
    f32 * c * 3 * (heads + 2 * kvHeads) * d + // q, k, v projections, their norms and rotated copies
    f32 * c * 2 * heads * d + // attention output and its permuted copy
    f32 * c * 3 * f + // gate, up, and their product
    c * f; // a matmul's activations quantized for the weights (≤ 1 byte a value)
  const mask =
    f32 * c * positions * 2 + // the host array (JavaScript) and the graph input
    f32 * paddedRows * positions * 3 + // broadcast, clamped, padded
    2 * paddedRows * positions; // float16
  const values = f32 * kvHeads * d * positions; // a layer's values as rows for flash_attn_ext (float16 or float32)
  const inputs = f32 * c * (1 + d); // token ids, rope tables
  const logits = f32 * vocab * 2; // the last position's logits and the copy read back
  return { kvCacheBytes, chunkWorkBytes: activations + mask + values + inputs + logits };
}
