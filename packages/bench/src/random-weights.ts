import type { DecoderShape } from './decoder-shape.js';

/** One named checkpoint tensor, row-major float32 (Hugging Face layout: linear weights are `[out, in]`). */
export interface NamedTensor {
  /** llama.cpp GGUF name, e.g. `blk.0.attn_q.weight`. */
  name: string;
  shape: number[];
  values: Float32Array;
  /** True for matrices (quantized in compact storages); norms stay float32. */
  matrix: boolean;
}

/**
 * Deterministic random weights in the shapes of `shape` (uniform, scaled like a trained model's), named as in a
 * llama.cpp `qwen3` GGUF. The same `shape` and `seed` give the same values in every process.
 */
export function randomWeights(shape: DecoderShape, seed = 1234): NamedTensor[] {
  // A pool of uniform values in [-1, 1) from a small LCG, read with an odd stride that changes with the tensor and with
  // every pass over the pool: fast enough for 0.6B values, with no visible structure at the scale of a matrix row,
  // and no repeated rows (one stride for a whole embedding would repeat it every 2^20 values: tied logits).
  const pool = new Float32Array(1 << 20);
  let state = seed >>> 0;
  for (let i = 0; i < pool.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    pool[i] = state / 2147483648 - 1;
  }
  let tensorIndex = 0;
  const fill = (n: number, scale: number, bias: number): Float32Array => {
    const values = new Float32Array(n);
    const mask = pool.length - 1;
    const t = tensorIndex++;
    let j = (t * 104729) & mask;
    for (let start = 0, pass = 0; start < n; start += pool.length, pass++) {
      const stride = 2 * ((t * 7919 + pass * 2791) % 4096) + 1;
      j = (j + pass * 15485863) & mask;
      const end = Math.min(n, start + pool.length);
      for (let i = start; i < end; i++) {
        values[i] = pool[j] * scale + bias;
        j = (j + stride) & mask;
      }
    }
    return values;
  };
  const mat = (name: string, rows: number, cols: number, scale: number): NamedTensor => ({
    name,
    shape: [rows, cols],
    values: fill(rows * cols, scale, 0),
    matrix: true,
  });
  const norm = (name: string, n: number): NamedTensor => ({ name, shape: [n], values: fill(n, 0.2, 1), matrix: false });
  const { hidden: h, heads, kvHeads, headDim: d, intermediate: f } = shape;
  const s = Math.sqrt(3 / h);
  const out: NamedTensor[] = [mat('token_embd.weight', shape.vocab, h, 0.05)];
  for (let l = 0; l < shape.layers; l++) {
    const p = `blk.${l}.`;
    out.push(
      norm(`${p}attn_norm.weight`, h),
      mat(`${p}attn_q.weight`, heads * d, h, s),
      mat(`${p}attn_k.weight`, kvHeads * d, h, s),
      mat(`${p}attn_v.weight`, kvHeads * d, h, s),
      norm(`${p}attn_q_norm.weight`, d),
      norm(`${p}attn_k_norm.weight`, d),
      mat(`${p}attn_output.weight`, h, heads * d, Math.sqrt(3 / (heads * d))),
      norm(`${p}ffn_norm.weight`, h),
      mat(`${p}ffn_gate.weight`, f, h, s),
      mat(`${p}ffn_up.weight`, f, h, s),
      mat(`${p}ffn_down.weight`, h, f, Math.sqrt(3 / f)),
    );
  }
  out.push(norm('output_norm.weight', h));
  return out;
}
