import type { Backend, Weight, WeightOptions } from '@pio/core';
import { createRandomBf16Tensors } from '@pio/core/testing';
import type { WeightSource } from '@pio/core/nn';

/**
 * A WeightSource that makes every requested tensor on the fly: BF16 values uniform in [-scale, scale) from a fixed
 * xorshift generator; names ending in `norm.weight` (RMSNorm / LayerNorm scales) are ones. No checkpoint needed.
 */
export function createRandomWeightSource(backend: Backend, scale = 0.02, seed = 1234): WeightSource & { bytes: number } {
  const random = createRandomBf16Tensors({ scale, seed });
  const source = {
    bytes: 0,
    has: () => false,
    async take(name: string, options: WeightOptions & { shape?: readonly number[] } = {}): Promise<Weight> {
      const host = random.make(name, options.shape ?? [1]);
      source.bytes += host.bytes.byteLength;
      return backend.weight(host, { ...options, name });
    },
    async takeOptional(): Promise<Weight | undefined> {
      return undefined;
    },
  };
  return source;
}
