// Peak RSS and prefill tokens/s against prompt length while core's decode session (`CachedDecoderSession`, as the
// plugins use it) prefills a Qwen3-0.6B-shaped decoder (random weights) on the ggml backend in chunks through the KV
// cache (512 positions a chunk, like llama.cpp's n_ubatch). Each length runs in a child process of its own (this script
// with `--child <length>`). After the model is loaded the child collects garbage and resets the kernel's RSS
// high-water mark (Linux: /proc/self/clear_refs), so the peak is the prompt's alone, measured over the loaded model;
// it is printed next to the bound "loaded model + KV cache + one chunk's work" computed from the shape
// (`prefillMemoryModel`). Children run with glibc's MALLOC_MMAP_THRESHOLD_=131072 (unless set), so memory freed after
// loading leaves the process instead of hiding later growth. Not run in CI or tests. `pnpm bench:prompt-memory` in packages/bench.
// Env: PIO_BENCH_LENGTHS (default 512,1024,2048,4096,8192,16384), PIO_BENCH_CHUNK (512), PIO_BENCH_THREADS (2),
// PIO_BENCH_STORAGE (q8_0), PIO_BENCH_KV (float16 or float32; float16), PIO_BENCH_SHAPE (qwen3-0.6b or tiny),
// PIO_BENCH_LAYERS (the shape's).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WeightStorage } from '@pio/core';
import { CachedDecoderSession } from '@pio/core/nn';
import { createGgmlBackend } from '@pio/backend-ggml';
import { BENCH_SHAPES } from '../src/bench-shapes.js';
import { prefillMemoryModel } from '../src/prefill-memory-model.js';
import { Qwen3BenchDecoder } from '../src/qwen3-bench-decoder.js';
import { randomWeights } from '../src/random-weights.js';

const env = process.env;
const base = BENCH_SHAPES[(env.PIO_BENCH_SHAPE ?? 'qwen3-0.6b') as keyof typeof BENCH_SHAPES];
if (!base) throw new Error(`PIO_BENCH_SHAPE must be one of ${Object.keys(BENCH_SHAPES).join(', ')}`);
const shape = { ...base, layers: Number(env.PIO_BENCH_LAYERS ?? base.layers) };
const chunk = Number(env.PIO_BENCH_CHUNK ?? 512);
const [mode, arg] = process.argv.slice(2);
const MiB = 2 ** 20;

/** A `kB` field of /proc/self/status in MiB (VmRSS: resident now; VmHWM: the peak since the last reset). */
function procStatusMiB(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`/proc/self/status has no ${field}`);
  return Number(match[1]) / 1024;
}

/** Prefills `length` tokens in chunks; returns RSS after load, the peak during prefill, the model's bound, and tokens/s. */
async function child(length: number): Promise<Record<string, unknown>> {
  const storage = (env.PIO_BENCH_STORAGE ?? 'q8_0') as WeightStorage;
  const kv = env.PIO_BENCH_KV === 'float32' ? 'float32' : 'float16';
  const backend = await createGgmlBackend({ device: 'cpu', threads: Number(env.PIO_BENCH_THREADS ?? 2) });
  const weights = randomWeights(shape, 1234);
  const model = new Qwen3BenchDecoder(backend, shape, weights, storage);
  weights.length = 0;
  // a short prompt first, so the runtime's base (JIT-compiled code, ggml's kernels and threads) is in the baseline
  const warm = new CachedDecoderSession(model.asDecoderModel(kv), { inputIds: [[1, 2, 3, 4]], attentionMask: [[1, 1, 1, 1]] });
  await (await warm.prefill()).data();
  warm.dispose();
  // the random float32 weights are garbage now: collect them, and wait until their memory has gone back to the system
  // (V8 frees array buffers on a background thread) before the peak starts from the loaded model
  for (let last = Number.POSITIVE_INFINITY, i = 0; i < 20; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = procStatusMiB('VmRSS');
    if (Math.abs(last - now) < 1) break;
    last = now;
  }
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  const loadedRss = procStatusMiB('VmHWM');
  const prompt = { inputIds: [Array.from({ length }, (_, i) => (i * 7919 + 13) % shape.vocab)], attentionMask: [new Array(length).fill(1)] };
  const session = new CachedDecoderSession(model.asDecoderModel(kv), prompt, undefined, { prefillChunkSize: chunk, contextLength: length });
  try {
    const t = performance.now();
    const logits = await session.prefill();
    await logits.data();
    logits.dispose();
    const ms = performance.now() - t;
    const peak = procStatusMiB('VmHWM');
    const bound = prefillMemoryModel(shape, length, chunk, kv === 'float16' ? 2 : 4);
    const round = (bytes: number): number => Math.round(bytes / MiB);
    return {
      promptTokens: length,
      chunk,
      storage,
      kvCache: kv,
      weightMiB: round(model.weightBytes),
      loadedRssMiB: Math.round(loadedRss),
      peakRssMiB: Math.round(peak),
      addedMiB: Math.round(peak - loadedRss),
      modelKvMiB: round(bound.kvCacheBytes),
      modelChunkWorkMiB: round(bound.chunkWorkBytes),
      boundMiB: Math.round(loadedRss + (bound.kvCacheBytes + bound.chunkWorkBytes) / MiB),
      withinBound: peak <= loadedRss + (bound.kvCacheBytes + bound.chunkWorkBytes) / MiB,
      prefillTokensPerSecond: Math.round((length / ms) * 1e4) / 10,
      graphs: backend.graphStats().built,
      mallocMmapThreshold: env.MALLOC_MMAP_THRESHOLD_,
      loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    };
  } finally {
    session.dispose();
    model.dispose();
    backend.dispose();
  }
}

if (mode === '--child') {
  process.stdout.write(`${JSON.stringify(await child(Number(arg)))}\n`);
} else {
  const lengths = (env.PIO_BENCH_LENGTHS ?? '512,1024,2048,4096,8192,16384').split(',').map(Number);
  for (const length of lengths) {
    const args = ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), '--child', String(length)];
    // glibc keeps freed heap memory (the random float32 weights) resident and hands it to later allocations (the KV
    // cache), which would hide the prompt's growth under the baseline: allocations of 128 KiB and more are mapped and
    // unmapped instead (glibc's MALLOC_MMAP_THRESHOLD_; other allocators ignore it)
    const childEnv = { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072' };
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', env: childEnv });
    process.stdout.write(`${JSON.stringify({ shape: shape.name, layers: shape.layers, ...JSON.parse(out.trim().split('\n').at(-1) ?? '{}') })}\n`);
  }
}
