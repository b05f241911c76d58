// PIO alone on the Qwen3-0.6B bench shape (ggml): prefill then greedy decode steps, several rounds; prints per round
// prefill tok/s, median decode step, and the median split of a step into the JavaScript forward (recording) and the
// awaited read (graph key, inputs, compute, read-back), and the native computation alone. Env: STORAGE (q8_0), LAYERS (28), PROMPT (prompt ids, 128), STEPS (64), ROUNDS (3), PAD (KV cache padding, 256),
// THREADS (2), READY_FILE (writes the pid after loading and waits 3 s, for `perf record -p`), SWIGLU=0 (silu + mul
// instead of the fused `swiglu`, for a before/after).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createGgmlBackend } from '@pio/backend-ggml';
import type { WeightStorage } from '@pio/core';
import { KVCache } from '@pio/core/nn';
import { BENCH_SHAPES } from '../src/bench-shapes.js';
import { benchPrompt } from '../src/bench-prompt.js';
import { Qwen3BenchDecoder } from '../src/qwen3-bench-decoder.js';
import { randomWeights } from '../src/random-weights.js';
import { threadsEnv } from '../src/threads-env.js';
import { intEnv } from '../src/int-env.js';

const env = process.env;
const shape = { ...BENCH_SHAPES['qwen3-0.6b'], layers: intEnv('LAYERS', 28, { what: 'decoder layers' }) };
// every setting read (and checked) once, before the weights are made
const promptIds = intEnv('PROMPT', 128, { what: 'prompt ids' });
const rounds = intEnv('ROUNDS', 3, { what: 'rounds' });
const steps = intEnv('STEPS', 64, { what: 'decode steps' });
const padding = intEnv('PAD', 256, { what: 'KV cache padding' });
const backend = await createGgmlBackend({ device: 'cpu', threads: threadsEnv() });
if (env.SWIGLU === '0') Object.defineProperty(backend, 'swiglu', { value: undefined }); // applySwiglu falls back
const weights = randomWeights(shape, 1234);
const model = new Qwen3BenchDecoder(backend, shape, weights, (env.STORAGE ?? 'q8_0') as WeightStorage);
weights.length = 0;
if (env.READY_FILE) {
  writeFileSync(env.READY_FILE, String(process.pid));
  await new Promise((r) => setTimeout(r, 3000));
}
// time the native graph computation alone (the backend's bound compute call), to split a read into compute and the
// JavaScript around it (graph key, input copies, making outputs leaves, read-back)
const api = (backend as unknown as { rt: { api: { graphComputeAsync: (b: unknown, g: unknown) => Promise<number> } } }).rt.api;
const computeAsync = api.graphComputeAsync;
let computeMs = 0;
api.graphComputeAsync = async (b, g) => {
  const t0 = performance.now();
  try {
    return await computeAsync(b, g);
  } finally {
    computeMs = performance.now() - t0;
  }
};
const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const prompt = benchPrompt(promptIds, shape.vocab);
for (let round = 0; round < rounds; round++) {
  const cache = new KVCache(backend, shape.layers, { valueEntries: ['v'], padding, storage: 'float16' });
  let t = performance.now();
  let logits = model.forward(prompt, cache);
  let data = await logits.data();
  const prefillMs = performance.now() - t;
  const step: number[] = [];
  const fwd: number[] = [];
  const read: number[] = [];
  const compute: number[] = [];
  const toks: number[] = [];
  for (let s = 0; s < steps; s++) {
    const next = argmax(data);
    toks.push(next);
    logits.dispose();
    t = performance.now();
    logits = model.forward([next], cache);
    const t1 = performance.now();
    data = await logits.data();
    const t2 = performance.now();
    step.push(t2 - t);
    fwd.push(t1 - t);
    read.push(t2 - t1);
    compute.push(computeMs);
  }
  logits.dispose();
  cache.dispose();
  console.log(
    JSON.stringify({
      load: loadavg()[0].toFixed(2),
      prefillTokS: ((prompt.length / prefillMs) * 1000).toFixed(1),
      stepMs: med(step).toFixed(2),
      forwardMs: med(fwd).toFixed(2),
      readMs: med(read).toFixed(2),
      computeMs: med(compute).toFixed(2),
      tokS: (1000 / med(step)).toFixed(2),
      graphs: backend.graphStats(),
      toks: toks.slice(0, 8),
    }),
  );
}
model.dispose();
backend.dispose();
