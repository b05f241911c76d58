// Peak RSS and prefill tokens/s against prompt length while core's decode session (`CachedDecoderSession`, as the
// plugins use it) prefills a Qwen3-0.6B-shaped decoder (random weights) on the ggml backend in chunks through the KV
// cache (512 positions a chunk, like llama.cpp's n_ubatch). Each length runs in a child process of its own (this script
// with `--child <length>`). After the model is loaded the child collects garbage and resets the kernel's RSS
// high-water mark (Linux: /proc/self/clear_refs), so the peak is the prompt's alone, measured over the loaded model;
// it is printed next to the bound "loaded model + KV cache + one chunk's work" computed from the shape
// (`prefillMemoryModel`). Children run with glibc's MALLOC_MMAP_THRESHOLD_=131072 (unless set), so memory freed after
// loading leaves the process instead of hiding later growth. Not run in CI or tests. `pnpm bench:prompt-memory` in packages/bench.
// PIO_BENCH_ENGINES picks the engines, run alternately at each length: `pio` (PIO_BENCH_FLASH: PIO's `flashAttention`,
// default auto), `pio-fa-on` / `pio-fa-off` (forced on / off), and node-llama-cpp on the same random weights written as
// GGUF (seed 1234, the file `pnpm bench` writes): `llama` (its default, no flash attention) and `llama-fa` (flash
// attention on), batch = ubatch = the chunk, the same KV type and threads.
// Env: PIO_BENCH_LENGTHS (default 512,1024,2048,4096,8192,16384), PIO_BENCH_CHUNK (512), PIO_BENCH_THREADS (2),
// PIO_BENCH_STORAGE (q8_0), PIO_BENCH_KV (float16 or float32; float16), PIO_BENCH_SHAPE (qwen3-0.6b or tiny),
// PIO_BENCH_LAYERS (the shape's), PIO_BENCH_FLASH (auto), PIO_BENCH_ENGINES (pio; e.g. pio,llama,llama-fa),
// PIO_BENCH_RUNS (1; medians and the ratio to the first length printed after the runs), PIO_BENCH_DIR (where the GGUF
// is kept and reused; default a temporary folder, removed at the end).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WeightStorage } from '@pio/core';
import { CachedDecoderSession } from '@pio/core/nn';
import { createGgmlBackend, createGgmlRowEncoder } from '@pio/backend-ggml';
import { BENCH_SHAPES } from '../src/bench-shapes.js';
import { loadNodeLlamaCpp } from '../src/load-node-llama-cpp.js';
import { prefillMemoryModel } from '../src/prefill-memory-model.js';
import { Qwen3BenchDecoder } from '../src/qwen3-bench-decoder.js';
import { randomWeights } from '../src/random-weights.js';
import { threadsEnv } from '../src/threads-env.js';
import { writeBenchGguf } from '../src/write-bench-gguf.js';
import { choiceEnv } from '../src/choice-env.js';
import { intEnv } from '../src/int-env.js';

const env = process.env;
const base = BENCH_SHAPES[(env.PIO_BENCH_SHAPE ?? 'qwen3-0.6b') as keyof typeof BENCH_SHAPES];
if (!base) throw new Error(`PIO_BENCH_SHAPE must be one of ${Object.keys(BENCH_SHAPES).join(', ')}`);
const shape = { ...base, layers: intEnv('PIO_BENCH_LAYERS', base.layers, { what: 'decoder layers' }) };
const chunk = intEnv('PIO_BENCH_CHUNK', 512, { what: 'prefill chunk positions' });
const threads = threadsEnv('PIO_BENCH_THREADS');
const storage = (env.PIO_BENCH_STORAGE ?? 'q8_0') as WeightStorage;
const kv = choiceEnv<'float16' | 'float32'>('PIO_BENCH_KV', 'float16', ['float16', 'float32']);
const FLASH_MODES = ['auto', 'on', 'off'] as const;
type FlashMode = (typeof FLASH_MODES)[number];
const flashSetting = (env.PIO_BENCH_FLASH ?? 'auto') as FlashMode;
if (!FLASH_MODES.includes(flashSetting)) throw new Error(`PIO_BENCH_FLASH must be auto, on or off, got ${flashSetting}`);
const ENGINES = ['pio', 'pio-fa-on', 'pio-fa-off', 'llama', 'llama-fa'] as const;
type Engine = (typeof ENGINES)[number];
const [mode, arg, ggufArg] = process.argv.slice(2);
const MiB = 2 ** 20;

/** A `kB` field of /proc/self/status in MiB (VmRSS: resident now; VmHWM: the peak since the last reset). */
function procStatusMiB(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`/proc/self/status has no ${field}`);
  return Number(match[1]) / 1024;
}

/** Collects garbage until RSS settles, then resets the RSS high-water mark; returns the loaded RSS (MiB). */
async function settleAndResetPeak(): Promise<number> {
  // V8 frees array buffers on a background thread: wait until their memory has gone back to the system
  for (let last = Number.POSITIVE_INFINITY, i = 0; i < 20; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = procStatusMiB('VmRSS');
    if (Math.abs(last - now) < 1) break;
    last = now;
  }
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  return procStatusMiB('VmHWM');
}

/**
 * CPU seconds (user + system, every thread of the process) since `start`. With one compute thread
 * (PIO_BENCH_THREADS=1) this is the prefill's work, little affected by other processes taking the cores; with more,
 * ggml's threads spin at barriers while one of them waits for a core, so it grows with the load.
 */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1e3) / 1e3;
}

/** The benchmark's prompt of `length` token ids. */
function promptIds(length: number): number[] {
  return Array.from({ length }, (_, i) => (i * 7919 + 13) % shape.vocab);
}

/** Prefills `length` tokens in chunks; returns RSS after load, the peak during prefill, the model's bound, and tokens/s. */
async function child(length: number, flash: FlashMode): Promise<Record<string, unknown>> {
  const backend = await createGgmlBackend({ device: 'cpu', threads, flashAttention: flash });
  const weights = randomWeights(shape, 1234);
  const model = new Qwen3BenchDecoder(backend, shape, weights, storage);
  weights.length = 0;
  // a short prompt first, so the runtime's base (JIT-compiled code, ggml's kernels and threads) is in the baseline
  const warm = new CachedDecoderSession(model.asDecoderModel(kv), { inputIds: [[1, 2, 3, 4]], attentionMask: [[1, 1, 1, 1]] });
  await (await warm.prefill()).data();
  warm.dispose();
  const loadedRss = await settleAndResetPeak();
  const prompt = { inputIds: [promptIds(length)], attentionMask: [new Array(length).fill(1)] };
  const session = new CachedDecoderSession(model.asDecoderModel(kv), prompt, undefined, { prefillChunkSize: chunk, contextLength: length });
  try {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const logits = await session.prefill();
    await logits.data();
    logits.dispose();
    const ms = performance.now() - t;
    const cpuSeconds = cpuSecondsSince(cpu);
    const peak = procStatusMiB('VmHWM');
    const bound = prefillMemoryModel(shape, length, chunk, kv === 'float16' ? 2 : 4);
    const round = (bytes: number): number => Math.round(bytes / MiB);
    return {
      engine: flash === 'auto' ? 'pio' : `pio-fa-${flash}`,
      flashAttention: flash,
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
      prefillCpuSeconds: cpuSeconds,
      prefillTokensPerCpuSecond: Math.round((length / cpuSeconds) * 10) / 10,
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

/**
 * node-llama-cpp prefills the same prompt from `gguf` (batch = ubatch = the chunk, context sized for the prompt,
 * flash attention on for `llama-fa`); returns RSS after load, the peak during prefill and tokens/s.
 */
async function llamaChild(engine: Engine, length: number, gguf: string): Promise<Record<string, unknown>> {
  const { getLlama } = await loadNodeLlamaCpp();
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, maxThreads: threads });
  const model = await llama.loadModel({ modelPath: gguf, gpuLayers: 0 });
  const kvType = kv === 'float32' ? 'F32' : 'F16';
  const context = await model.createContext({
    contextSize: length + 8,
    batchSize: chunk, // node-llama-cpp sets n_ubatch = n_batch
    threads,
    flashAttention: engine === 'llama-fa',
    experimentalKvCacheKeyType: kvType,
    experimentalKvCacheValueType: kvType,
  });
  const sequence = context.getSequence();
  const asTokens = (ids: number[]) => ids as unknown as Parameters<typeof sequence.evaluate>[0];
  // the same warm-up as PIO's: a short prompt, then an empty cache
  const warm = sequence.evaluate(asTokens([1, 2, 3, 4]), { temperature: 0 });
  await warm.next();
  await warm.return(undefined);
  await sequence.clearHistory();
  const loadedRss = await settleAndResetPeak();
  try {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const iterator = sequence.evaluate(asTokens(promptIds(length)), { temperature: 0 });
    await iterator.next(); // the first token: the prompt's last logits
    const ms = performance.now() - t;
    const cpuSeconds = cpuSecondsSince(cpu);
    await iterator.return(undefined);
    const peak = procStatusMiB('VmHWM');
    return {
      engine,
      promptTokens: length,
      chunk,
      storage,
      kvCache: kv,
      loadedRssMiB: Math.round(loadedRss),
      peakRssMiB: Math.round(peak),
      addedMiB: Math.round(peak - loadedRss),
      prefillTokensPerSecond: Math.round((length / ms) * 1e4) / 10,
      prefillCpuSeconds: cpuSeconds,
      prefillTokensPerCpuSecond: Math.round((length / cpuSeconds) * 10) / 10,
      loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    };
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

/** Writes the random weights as a GGUF for node-llama-cpp (the name `pnpm bench` uses, so its files are reused). */
async function benchGguf(directory: string): Promise<string> {
  const path = join(directory, `${shape.name}-${shape.layers}l-seed1234-w2-${storage}.gguf`);
  if (existsSync(path)) return path;
  process.stderr.write(`writing ${path}\n`);
  const weights = randomWeights(shape, 1234);
  const tensors = weights.map((t) => ({ name: t.name, shape: t.shape, matrix: t.matrix, load: () => Promise.resolve(t.values) }));
  await writeBenchGguf(await createGgmlRowEncoder(), path, shape, tensors, storage);
  return path;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (mode === '--child') {
  process.stdout.write(`${JSON.stringify(await child(Number(arg), (ggufArg || flashSetting) as FlashMode))}\n`);
} else if (mode === '--llama' || mode === '--llama-fa') {
  process.stdout.write(`${JSON.stringify(await llamaChild(mode.slice(2) as Engine, Number(arg), ggufArg ?? ''))}\n`);
} else {
  const lengths = (env.PIO_BENCH_LENGTHS ?? '512,1024,2048,4096,8192,16384').split(',').map(Number);
  const engines = (env.PIO_BENCH_ENGINES ?? 'pio').split(',') as Engine[];
  const bad = engines.find((e) => !ENGINES.includes(e));
  if (bad !== undefined) throw new Error(`PIO_BENCH_ENGINES takes ${ENGINES.join(', ')}, got ${bad}`);
  const runs = intEnv('PIO_BENCH_RUNS', 1, { what: 'runs' });
  const directory = env.PIO_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'pio-prompt-memory-'));
  try {
    const gguf = engines.some((e) => e.startsWith('llama')) ? await benchGguf(directory) : '';
    const speeds = new Map<string, number[]>();
    const cpuSpeeds = new Map<string, number[]>();
    for (const length of lengths) {
      for (let r = 0; r < runs; r++) {
        for (const engine of engines) {
          const script = fileURLToPath(import.meta.url);
          // PIO children take the flash-attention mode where node-llama-cpp children take the GGUF
          const pio = engine === 'pio' ? flashSetting : engine.startsWith('pio-fa-') ? engine.slice('pio-fa-'.length) : undefined;
          const args = ['--expose-gc', ...process.execArgv, script, pio ? '--child' : `--${engine}`, String(length), pio ?? gguf];
          // glibc keeps freed heap memory (the random float32 weights) resident and hands it to later allocations (the
          // KV cache), which would hide the prompt's growth under the baseline: allocations of 128 KiB and more are
          // mapped and unmapped instead (glibc's MALLOC_MMAP_THRESHOLD_; other allocators ignore it)
          const childEnv = { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072' };
          const out = execFileSync(process.execPath, args, { encoding: 'utf8', env: childEnv, maxBuffer: 64 * MiB });
          const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { prefillTokensPerSecond: number; prefillTokensPerCpuSecond: number };
          process.stdout.write(`${JSON.stringify({ shape: shape.name, layers: shape.layers, run: r + 1, ...result })}\n`);
          const key = `${engine} ${length}`;
          speeds.set(key, [...(speeds.get(key) ?? []), result.prefillTokensPerSecond]);
          cpuSpeeds.set(key, [...(cpuSpeeds.get(key) ?? []), result.prefillTokensPerCpuSecond]);
        }
      }
    }
    if (runs > 1 || engines.length > 1) {
      // medians, and each length's speed as a share of the shortest length's (the "8k within 30% of 512")
      for (const engine of engines) {
        const first = median(speeds.get(`${engine} ${lengths[0]}`) ?? []);
        const firstCpu = median(cpuSpeeds.get(`${engine} ${lengths[0]}`) ?? []);
        for (const length of lengths) {
          const mid = median(speeds.get(`${engine} ${length}`) ?? []);
          const midCpu = median(cpuSpeeds.get(`${engine} ${length}`) ?? []);
          const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
          const line = {
            median: engine,
            promptTokens: length,
            runs,
            prefillTokensPerSecond: mid,
            ratioToFirst: ratio(mid, first),
            prefillTokensPerCpuSecond: midCpu,
            cpuRatioToFirst: ratio(midCpu, firstCpu),
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
      }
    }
  } finally {
    if (env.PIO_BENCH_DIR === undefined) rmSync(directory, { recursive: true, force: true });
  }
}
