// Event-loop delay while PIO decodes a Qwen3-0.6B-shaped decoder (random weights) on the ggml backend: p50 / p99 / max
// of `perf_hooks.monitorEventLoopDelay` during the prompt and during the decode, and decode tokens/s — for graphs
// computed on a worker thread (the default, `computeThread: 'worker'`) and, for comparison, on the main thread as
// before the change (`computeThread: 'main'`). One process, the same weights uploaded to one backend of each kind; runs
// alternate between them (worker, main, worker, ...) and the medians of each are printed last. Not run in CI or tests.
// `pnpm bench:event-loop` in packages/bench.
// Env: PIO_BENCH_RUNS (runs of each, default 3), PIO_BENCH_COMPUTE (worker,main: the kinds compared), PIO_BENCH_THREADS
// (default 2), PIO_BENCH_PROMPT (128), PIO_BENCH_DECODE (64), PIO_BENCH_STORAGE (q8_0), PIO_BENCH_KV (float16 or
// float32; float16), PIO_BENCH_SHAPE (qwen3-0.6b or tiny), PIO_BENCH_LAYERS (the shape's).
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { WeightStorage } from '@pio/core';
import { KVCache } from '@pio/core/nn';
import { createGgmlBackend, type GgmlBackend } from '@pio/backend-ggml';
import { BENCH_SHAPES } from '../src/bench-shapes.js';
import { Qwen3BenchDecoder } from '../src/qwen3-bench-decoder.js';
import { randomWeights } from '../src/random-weights.js';
import { threadsEnv } from '../src/threads-env.js';
import { choiceEnv } from '../src/choice-env.js';
import { intEnv } from '../src/int-env.js';

const env = process.env;
const base = BENCH_SHAPES[(env.PIO_BENCH_SHAPE ?? 'qwen3-0.6b') as keyof typeof BENCH_SHAPES];
if (!base) throw new Error(`PIO_BENCH_SHAPE must be one of ${Object.keys(BENCH_SHAPES).join(', ')}`);
const shape = { ...base, layers: intEnv('PIO_BENCH_LAYERS', base.layers, { what: 'decoder layers' }) };
const threads = threadsEnv('PIO_BENCH_THREADS');
const promptTokens = intEnv('PIO_BENCH_PROMPT', 128, { what: 'prompt tokens' });
const decodeTokens = intEnv('PIO_BENCH_DECODE', 64, { what: 'decode steps' });
const storage = (env.PIO_BENCH_STORAGE ?? 'q8_0') as WeightStorage;
const kv = choiceEnv<'float16' | 'float32'>('PIO_BENCH_KV', 'float16', ['float16', 'float32']);
const runs = intEnv('PIO_BENCH_RUNS', 3, { what: 'runs' });
const kinds = (env.PIO_BENCH_COMPUTE ?? 'worker,main').split(',') as Array<'worker' | 'main'>;
for (const k of kinds) if (k !== 'worker' && k !== 'main') throw new Error(`PIO_BENCH_COMPUTE lists worker and/or main, got ${k}`);

interface Delays {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

/** p50 / p99 / max of a delay histogram, in milliseconds (it records nanoseconds). */
function delays(h: IntervalHistogram): Delays {
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count };
}

/**
 * Gives the loop a few turns, so the histogram's timer ticks: before the work (it records from its second tick on) and
 * after it (a loop held throughout records that one long delay then).
 */
const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return Math.round((s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) * 100) / 100;
}

/** One prompt and decode on `backend`, with the loop's delays recorded during each. */
async function run(model: Qwen3BenchDecoder, backend: GgmlBackend) {
  const cache = new KVCache(backend, shape.layers, { padding: backend.kvCachePadding, storage: kv, valueEntries: ['v'] });
  cache.reserve(promptTokens + decodeTokens);
  const prompt = Array.from({ length: promptTokens }, (_, i) => (i * 7919 + 13) % shape.vocab);
  try {
    const prefillDelay = monitorEventLoopDelay({ resolution: 1 });
    prefillDelay.enable();
    await flush();
    let t = performance.now();
    let logits = model.forward(prompt, cache);
    let data = await logits.data();
    const prefillMs = performance.now() - t;
    await flush();
    prefillDelay.disable();
    const decodeDelay = monitorEventLoopDelay({ resolution: 1 });
    decodeDelay.enable();
    await flush();
    t = performance.now();
    for (let s = 0; s < decodeTokens; s++) {
      const next = argmax(data);
      logits.dispose();
      logits = model.forward([next], cache);
      data = await logits.data();
    }
    const decodeMs = performance.now() - t;
    await flush();
    decodeDelay.disable();
    logits.dispose();
    return {
      prefillTokensPerSecond: Math.round((promptTokens / prefillMs) * 1e4) / 10,
      decodeTokensPerSecond: Math.round((decodeTokens / decodeMs) * 1e5) / 100,
      prefillDelayMs: delays(prefillDelay),
      decodeDelayMs: delays(decodeDelay),
    };
  } finally {
    cache.dispose();
  }
}

const weights = randomWeights(shape, 1234);
const engines = [];
for (const computeThread of kinds) {
  const backend = await createGgmlBackend({ device: 'cpu', threads, computeThread });
  engines.push({ computeThread, backend, model: new Qwen3BenchDecoder(backend, shape, weights, storage) });
}
weights.length = 0;
const settings = { shape: shape.name, layers: shape.layers, storage, kvCache: kv, threads, promptTokens, decodeTokens };
process.stdout.write(`${JSON.stringify(settings)}\n`);
const results = new Map<string, Array<Awaited<ReturnType<typeof run>>>>();
try {
  for (const e of engines) await run(e.model, e.backend); // warm-up: JIT, ggml's threads, first graphs
  for (let r = 0; r < runs; r++) {
    for (const e of engines) {
      const result = await run(e.model, e.backend);
      results.set(e.computeThread, [...(results.get(e.computeThread) ?? []), result]);
      const load = loadavg().map((v) => Math.round(v * 100) / 100);
      process.stdout.write(`${JSON.stringify({ run: r + 1, computeThread: e.computeThread, ...result, loadAverage: load })}\n`);
    }
  }
  for (const [computeThread, rs] of results) {
    const decode = (k: keyof Delays) => median(rs.map((x) => x.decodeDelayMs[k]));
    const summary = {
      computeThread,
      runs: rs.length,
      medianDecodeTokensPerSecond: median(rs.map((x) => x.decodeTokensPerSecond)),
      medianPrefillTokensPerSecond: median(rs.map((x) => x.prefillTokensPerSecond)),
      medianDecodeDelayMs: { p50: decode('p50'), p99: decode('p99'), max: decode('max') },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
} finally {
  for (const e of engines) {
    e.model.dispose();
    e.backend.dispose();
  }
}
