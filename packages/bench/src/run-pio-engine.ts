import { KVCache } from '@pio/core/nn';
import { createGgmlBackend } from '@pio/backend-ggml';
import type { BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';
import { Qwen3BenchDecoder } from './qwen3-bench-decoder.js';
import { randomWeights } from './random-weights.js';

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * Prefills `prompt` into `cache`, then greedily decodes `steps` tokens (each step's logits read back): the prefill's
 * and every step's milliseconds, and the tokens chosen.
 */
async function generate(
  model: Qwen3BenchDecoder,
  cache: KVCache,
  prompt: number[],
  steps: number,
): Promise<{ prefillMs: number; decodeMs: number[]; tokens: number[] }> {
  let t = performance.now();
  let logits = model.forward(prompt, cache);
  try {
    let data = await logits.data();
    const prefillMs = performance.now() - t;
    const tokens: number[] = [];
    const decodeMs: number[] = [];
    for (let s = 0; s < steps; s++) {
      const next = argmax(data);
      tokens.push(next);
      logits.dispose();
      t = performance.now();
      logits = model.forward([next], cache);
      data = await logits.data();
      decodeMs.push(performance.now() - t);
    }
    return { prefillMs, decodeMs, tokens };
  } finally {
    logits.dispose();
  }
}

/** Runs the benchmark's Qwen3 decoder on the ggml backend (CPU): prefill, then greedy decode steps. Internal. */
export async function runPioEngine(request: BenchEngineRequest): Promise<BenchEngineResult> {
  const { shape, prompt, decodeTokens, threads } = request;
  const repack = request.repackWeights === undefined ? {} : { repackWeights: request.repackWeights };
  const backend = await createGgmlBackend({ device: 'cpu', threads, ...repack });
  const weights = randomWeights(shape, request.seed);
  const model = new Qwen3BenchDecoder(backend, shape, weights, request.storage);
  weights.length = 0; // let the host copies go
  // padded to 256 positions like llama.cpp's cache, so that decode steps repeat their shapes
  const newCache = () => new KVCache(backend, shape.layers, { valueEntries: ['v'], padding: 256, storage: request.kvCacheStorage });
  if (request.warmupTokens) {
    // the same generation, untimed, on a cache of its own
    const warm = newCache();
    try {
      await generate(model, warm, prompt, request.warmupTokens);
    } finally {
      warm.dispose();
    }
  }
  const cache = newCache();
  try {
    const timed = await generate(model, cache, prompt, decodeTokens);
    return { ...timed, weightBytes: model.stepBytes, weightRepack: backend.weightRepack.reason };
  } finally {
    cache.dispose();
    model.dispose();
    backend.dispose();
  }
}
