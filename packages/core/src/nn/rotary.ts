import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';

/**
 * Inverse frequencies `1 / theta^(2i / dim)` for `i < dim / 2`, rounded to float32 as the reference computes them.
 */
export function ropeInverseFrequencies(dim: number, theta: number): Float32Array {
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = 1 / Math.fround(theta ** Math.fround((2 * i) / dim));
  return out;
}

/**
 * Host-side cos/sin tables `[batch, seq, invFreq.length]` from per-row positions and per-pair inverse frequencies.
 *
 * `positionsFor(b, s, i)` gives the position used by pair `i` at `[b, s]` (plain RoPE ignores `i`; multimodal RoPE picks
 * the temporal, height or width position per pair). Angles are rounded to float32 like the reference.
 */
export function ropeTables(
  batch: number,
  seq: number,
  invFreq: Float32Array,
  positionsFor: (b: number, s: number, pair: number) => number,
): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(batch * seq * half);
  const sin = new Float32Array(batch * seq * half);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const base = (b * seq + s) * half;
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(positionsFor(b, s, i) * invFreq[i]);
        cos[base + i] = Math.cos(angle);
        sin[base + i] = Math.sin(angle);
      }
    }
  }
  return { cos, sin };
}

/** Uploads cos/sin tables made by {@link ropeTables} as `[batch, seq, pairs]` tensors for {@link Backend.rope}. */
export function ropeTensors(backend: Backend, tables: { cos: Float32Array; sin: Float32Array }, batch: number, seq: number): { cos: Tensor; sin: Tensor } {
  const pairs = tables.cos.length / (batch * seq);
  return {
    cos: backend.tensor(tables.cos, [batch, seq, pairs]),
    sin: backend.tensor(tables.sin, [batch, seq, pairs]),
  };
}
