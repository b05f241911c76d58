// Peak RSS and prefill tokens/s against prompt length while PIO prefills a Qwen3-0.6B-shaped decoder (random weights)
// on the ggml backend in chunks through the KV cache (as core's decode session does: 512 positions a chunk, like
// llama.cpp's n_ubatch). Each length runs in a child process of its own (this script with `--child <length>`), so
// each peak RSS is that prompt's alone. Not run in CI or tests. `pnpm bench:prompt-memory` in packages/bench.
// Env: PIO_BENCH_LENGTHS (default 512,1024,2048,4096,8192,16384), PIO_BENCH_CHUNK (512), PIO_BENCH_THREADS (2),
// PIO_BENCH_STORAGE (q8_0), PIO_BENCH_KV (float16 or float32; float16), PIO_BENCH_SHAPE (qwen3-0.6b or tiny),
// PIO_BENCH_LAYERS (the shape's).
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WeightStorage } from '@pio/core';
import { KVCache } from '@pio/core/nn';
import { createGgmlBackend } from '@pio/backend-ggml';
import { BENCH_SHAPES } from '../src/bench-shapes.js';
import { Qwen3BenchDecoder } from '../src/qwen3-bench-decoder.js';
import { randomWeights } from '../src/random-weights.js';

const env = process.env;
const base = BENCH_SHAPES[(env.PIO_BENCH_SHAPE ?? 'qwen3-0.6b') as keyof typeof BENCH_SHAPES];
if (!base) throw new Error(`PIO_BENCH_SHAPE must be one of ${Object.keys(BENCH_SHAPES).join(', ')}`);
const shape = { ...base, layers: Number(env.PIO_BENCH_LAYERS ?? base.layers) };
const chunk = Number(env.PIO_BENCH_CHUNK ?? 512);
const [mode, arg] = process.argv.slice(2);

/** Prefills `length` tokens in chunks; returns peak RSS (MiB) before and after, and prefill tokens/s. */
async function child(length: number): Promise<Record<string, unknown>> {
  const storage = (env.PIO_BENCH_STORAGE ?? 'q8_0') as WeightStorage;
  const kv = env.PIO_BENCH_KV === 'float32' ? 'float32' : 'float16';
  const backend = await createGgmlBackend({ device: 'cpu', threads: Number(env.PIO_BENCH_THREADS ?? 2) });
  const weights = randomWeights(shape, 1234);
  const model = new Qwen3BenchDecoder(backend, shape, weights, storage);
  weights.length = 0;
  const loadedRss = process.resourceUsage().maxRSS / 1024;
  const cache = new KVCache(backend, shape.layers, { valueEntries: ['v'], padding: 256, storage: kv });
  const prompt = Array.from({ length }, (_, i) => (i * 7919 + 13) % shape.vocab);
  try {
    const t = performance.now();
    for (let at = 0; at < length; at += chunk) {
      const logits = model.forward(prompt.slice(at, at + chunk), cache);
      await logits.data();
      logits.dispose();
    }
    const ms = performance.now() - t;
    return {
      promptTokens: length,
      chunk,
      storage,
      kvCache: kv,
      weightMiB: Math.round(model.weightBytes / 2 ** 20),
      loadedPeakRssMiB: Math.round(loadedRss),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      prefillTokensPerSecond: Math.round((length / ms) * 1e4) / 10,
      loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    };
  } finally {
    cache.dispose();
    model.dispose();
    backend.dispose();
  }
}

if (mode === '--child') {
  process.stdout.write(`${JSON.stringify(await child(Number(arg)))}\n`);
} else {
  const lengths = (env.PIO_BENCH_LENGTHS ?? '512,1024,2048,4096,8192,16384').split(',').map(Number);
  for (const length of lengths) {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(length)], { encoding: 'utf8' });
    process.stdout.write(`${JSON.stringify({ shape: shape.name, layers: shape.layers, ...JSON.parse(out.trim().split('\n').at(-1) ?? '{}') })}\n`);
  }
}
