import type { Backend, HostTensor, Weight, WeightOptions } from '@pio/core';
import type { WeightSource } from '@pio/core/nn';

/**
 * A WeightSource that makes every requested tensor on the fly: BF16 values uniform in [-scale, scale) from a fixed
 * xorshift generator; names ending in `norm.weight` (RMSNorm / LayerNorm scales) are ones. No checkpoint needed.
 */
export function createRandomWeightSource(backend: Backend, scale = 0.02, seed = 1234): WeightSource & { bytes: number } {
  let state = seed >>> 0 || 1;
  const source = {
    bytes: 0,
    has: () => false,
    async take(name: string, options: WeightOptions & { shape?: readonly number[] } = {}): Promise<Weight> {
      const shape = options.shape ?? [1];
      const n = shape.reduce((a, b) => a * b, 1);
      const bits = new Uint16Array(n);
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      const ones = /norm\.weight$/.test(name);
      for (let i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        f[0] = ones ? 1 : ((state >>> 0) / 2 ** 32 - 0.5) * 2 * scale;
        bits[i] = u[0] >>> 16;
      }
      const host: HostTensor = { dtype: 'BF16', shape, bytes: new Uint8Array(bits.buffer) };
      source.bytes += host.bytes.byteLength;
      return backend.weight(host, { ...options, name });
    },
    async takeOptional(): Promise<Weight | undefined> {
      return undefined;
    },
  };
  return source;
}
