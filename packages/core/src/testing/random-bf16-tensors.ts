import type { HostTensor } from '../backend/host-tensor.js';

/** Makes BF16 host tensors of random values, for benchmarks and tests that need real-size weights without a checkpoint. */
export interface RandomBf16Tensors {
  /**
   * A BF16 tensor of `shape`: values uniform in `[-scale, scale)` from the generator, or all ones for names ending in
   * `norm.weight` (RMSNorm / LayerNorm scales, so activations stay in range).
   */
  make(name: string, shape: readonly number[]): HostTensor;
}

/** A deterministic maker of random BF16 weights (xorshift32 from `seed`; values truncated to BF16). */
export function createRandomBf16Tensors(options: { scale?: number; seed?: number } = {}): RandomBf16Tensors {
  const scale = options.scale ?? 0.02;
  let state = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return {
    make(name, shape) {
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
