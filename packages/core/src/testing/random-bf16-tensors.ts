import type { HostTensor } from '../backend/host-tensor.js';

/** Makes BF16 host tensors of random values, for benchmarks and tests that need real-size weights without a checkpoint. */
export interface RandomBf16Tensors {
  /**
   * A BF16 tensor of `shape`: values uniform in `[-scale, scale)` from the generator, or all ones for names ending in
   * `norm.weight` (RMSNorm / LayerNorm scales, so activations stay in range).
   */
  make(name: string, shape: readonly number[]): HostTensor;
}

/** Options of {@link createRandomBf16Tensors}. */
export interface RandomBf16TensorsOptions {
  /** Half-width of the uniform range (default 0.02). */
  scale?: number;
  /** Generator seed (default `0x9e3779b9`). */
  seed?: number;
  /**
   * Restart the generator for each tensor from `seed` and the tensor's name (FNV-1a), so a tensor's values do not
   * depend on which tensors were made before it: two writers (a safetensors folder and a GGUF file of the same
   * weights) may then make the tensors in different orders, or one of them long after the other. Default false: one
   * stream over every tensor, in the order they are made.
   */
  perName?: boolean;
}

/** FNV-1a of a string's UTF-16 code units, 32 bits. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A deterministic maker of random BF16 weights (xorshift32 from `seed`; values truncated to BF16). */
export function createRandomBf16Tensors(options: RandomBf16TensorsOptions = {}): RandomBf16Tensors {
  const scale = options.scale ?? 0.02;
  const seed = (options.seed ?? 0x9e3779b9) >>> 0;
  let state = seed || 1;
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return {
    make(name, shape) {
      if (options.perName) state = (seed ^ fnv1a(name)) >>> 0 || 1;
      const n = shape.reduce((a, b) => a * b, 1);
      const bits = new Uint16Array(n);
      const ones = name.endsWith('norm.weight');
      for (let i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        f[0] = ones ? 1 : ((state >>> 0) / 2 ** 32 - 0.5) * 2 * scale;
        bits[i] = u[0] >>> 16;
      }
      return { dtype: 'BF16', shape: [...shape], bytes: new Uint8Array(bits.buffer) };
    },
  };
}
