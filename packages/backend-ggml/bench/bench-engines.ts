import type { WeightStorage } from '@pio/core';
import { KVCache } from '@pio/core/nn';
import { createGgmlBackend } from '../src/index.js';
import { Qwen3Decoder } from './qwen3-decoder.js';
import type { DecoderShape, NamedTensor } from './qwen3-shape.js';

/** Timings of one engine run: prefill once, then greedy single-token decode steps. */
export interface EngineResult {
  prefillMs: number;
  decodeMs: number[];
  tokens: number[];
  weightBytes?: number;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Runs the PIO decoder on the ggml backend. */
export async function runPio(shape: DecoderShape, weights: NamedTensor[], storage: WeightStorage, prompt: number[], steps: number, threads: number): Promise<EngineResult> {
  const backend = await createGgmlBackend({ device: 'cpu', threads });
  const model = new Qwen3Decoder(backend, shape, weights, storage);
  weights.length = 0; // let the host copies go
  const cache = new KVCache(backend, shape.layers);
  let t = performance.now();
  let logits = model.forward(prompt, cache);
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
  const weightBytes = model.weightBytes;
  logits.dispose();
  cache.dispose();
  model.dispose();
  backend.dispose();
  return { prefillMs, decodeMs, tokens, weightBytes };
}

/** Runs node-llama-cpp on the GGUF at `path` (CPU, `threads` threads, greedy). */
export async function runLlama(path: string, prompt: number[], steps: number, threads: number): Promise<EngineResult> {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, maxThreads: threads });
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 512, batchSize: prompt.length, threads, flashAttention: false });
  const sequence = context.getSequence();
  const asTokens = (ids: number[]) => ids as unknown as Parameters<typeof sequence.evaluate>[0];
  let t = performance.now();
  const iterator = sequence.evaluate(asTokens(prompt), { temperature: 0 });
  const first = await iterator.next();
  const prefillMs = performance.now() - t;
  const tokens: number[] = [Number(first.value)];
  const decodeMs: number[] = [];
  for (let s = 0; s < steps; s++) {
    t = performance.now();
    const r = await iterator.next();
    if (r.done) break;
    decodeMs.push(performance.now() - t);
    tokens.push(Number(r.value));
  }
  await iterator.return(undefined);
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return { prefillMs, decodeMs, tokens };
}
