import type { Backend } from '@pio/core';
import { KVCache } from '@pio/core/nn';
import { createReferenceBackend } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import type { DecoderShape } from './decoder-shape.js';
import { Qwen3BenchDecoder as Qwen3Decoder } from './qwen3-bench-decoder.js';
import { randomWeights } from './random-weights.js';
import { createGgmlBackend } from '@pio/backend-ggml';

const SHAPE: DecoderShape = {
  name: 'decode-loop',
  vocab: 96,
  hidden: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  intermediate: 128,
  ropeTheta: 10000,
  eps: 1e-6,
};

/** Greedy decode: prefill `prompt`, then `steps` single tokens; returns every step's logits. */
async function run(backend: Backend, prompt: number[], steps: number, padding = 1): Promise<Float32Array[]> {
  const model = new Qwen3Decoder(backend, SHAPE, randomWeights(SHAPE, 99), 'float32');
  const cache = new KVCache(backend, SHAPE.layers, { valueEntries: ['v'], padding });
  const out: Float32Array[] = [];
  let logits = model.forward(prompt, cache);
  for (let s = 0; s <= steps; s++) {
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    out.push(data);
    if (s === steps) break;
    let best = 0;
    for (let v = 1; v < data.length; v++) if (data[v] > data[best]) best = v;
    logits = model.forward([best], cache);
  }
  cache.dispose();
  model.dispose();
  return out;
}

describe('a Qwen3-shaped decode loop (lazy graphs, KV cache in place)', () => {
  it.each([
    ['a short prompt', [3, 14, 15, 92, 65, 35, 89], 5, 1],
    // 252 + 8 positions: the cache moves from its first 256-position buffers to 512 mid-decode
    ['a prompt that outgrows the first cache buffers', Array.from({ length: 252 }, (_, i) => (i * 37 + 5) % 96), 8, 1],
    // padded to 16: steps inside one 16-position block share a graph; crossing 16 and 32 changes it
    ['a cache padded to 16 positions (graphs reused)', [3, 14, 15, 92, 65, 35, 89], 30, 16],
    ['a padded cache that outgrows its buffers', Array.from({ length: 250 }, (_, i) => (i * 37 + 5) % 96), 12, 16],
  ])('matches the reference backend at every step and leaks nothing (%s)', async (_, prompt, steps, padding) => {
    const ggml = await createGgmlBackend({ device: 'cpu', threads: 1 });
    const before = ggml.memory();
    const got = await run(ggml, prompt, steps, padding);
    expect(ggml.memory()).toEqual(before);
    const { reused } = ggml.graphStats();
    if (padding > 1) expect(reused).toBeGreaterThanOrEqual(steps - 8);
    else expect(reused).toBe(0); // every step has new shapes
    ggml.dispose();
    const expected = await run(createReferenceBackend(), prompt, steps);
    expect(got.length).toBe(expected.length);
    for (const [s, logits] of got.entries()) {
      let worst = 0;
      for (let v = 0; v < logits.length; v++) worst = Math.max(worst, Math.abs(logits[v] - expected[s][v]) / (1e-4 + Math.abs(expected[s][v])));
      expect(worst, `step ${s}`).toBeLessThan(1e-3);
    }
  });
});
