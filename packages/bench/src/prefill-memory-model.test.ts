import { describe, expect, it } from 'vitest';
import { BENCH_SHAPES } from './bench-shapes.js';
import { prefillMemoryModel } from './prefill-memory-model.js';

describe('prefillMemoryModel', () => {
  const shape = BENCH_SHAPES['qwen3-0.6b'];

  it('counts the KV cache from the shape: layers x 2 x kvHeads x headDim x positions x bytes (0.6B: 112 KiB a position in float16)', () => {
    expect(prefillMemoryModel(shape, 1024, 512, 2).kvCacheBytes).toBe(28 * 2 * 8 * 128 * 1024 * 2);
    expect(prefillMemoryModel(shape, 1024, 512, 2).kvCacheBytes / 1024).toBe(112 * 1024);
    // capacity in steps of 256 positions
    expect(prefillMemoryModel(shape, 1000, 512, 4).kvCacheBytes).toBe(28 * 2 * 8 * 128 * 1024 * 4);
  });

  it('is linear in the prompt length for a fixed chunk (equal steps add equal bytes)', () => {
    const total = (n: number) => {
      const m = prefillMemoryModel(shape, n, 512, 2);
      return m.kvCacheBytes + m.chunkWorkBytes;
    };
    const step = total(2048) - total(1024);
    expect(total(3072) - total(2048)).toBe(step);
    expect(total(16384) - total(15360)).toBe(step);
    // a chunk's work never covers more positions than the prompt has
    expect(prefillMemoryModel(shape, 100, 512, 2).chunkWorkBytes).toBeLessThan(prefillMemoryModel(shape, 512, 512, 2).chunkWorkBytes);
  });
});
