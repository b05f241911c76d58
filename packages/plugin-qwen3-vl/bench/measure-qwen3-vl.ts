/**
 * One Qwen3-VL bench configuration, run in its own process by `qwen3-vl-bench.ts` (bundled, so no TypeScript loader
 * inflates the figures): loads the on-disk checkpoint in `BENCH_DIR` on `BENCH_ENGINE` with `BENCH_STORAGE`, runs a
 * prefill of `BENCH_PROMPT` tokens, `BENCH_DECODE` decode steps and (unless `BENCH_IMAGE=0`) a 448x448 image, and
 * prints one `RESULT {json}` line with the timings and the resident memory of each phase.
 */
import type { Backend, WeightStorage } from '@pio/core';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createTfjsBackend } from '@pio/backend-tfjs';
import { preprocessImages } from '../src/image/image-processor.js';
import { DEFAULT_IMAGE_PREPROCESSOR_CONFIG } from '../src/image/preprocessor-config.js';
import { createQwen3VLPlugin } from '../src/qwen3-vl-plugin.js';
import type { Qwen3VLModel } from '../src/qwen3-vl-model.js';
import { processMemory } from './process-memory.js';

/** What one configuration measured (bytes and seconds). */
export interface Qwen3VLMeasurement {
  engine: string;
  storage: WeightStorage;
  loadSeconds: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  /** Decode with `rows` prompts in one batch (what the server does with requests that wait together): tokens of all rows per second. */
  batch?: { rows: number; decodeTokensPerSecond: number };
  image?: { preprocessSeconds: number; encodeSeconds: number };
  /** Bytes of the checkpoint tensors read. */
  checkpointBytes: number;
  /** Bytes the uploaded weights occupy on the backend (the stored weights). */
  storedBytes: number;
  /** Backend bytes: weights only, and the peak while running. */
  backendBytes: { weights: number; peak: number };
  /** RSS before loading (Node, the engine library), peaks of load / prefill + decode / image, and the process peak. */
  rss: { baseline: number; load: number; run: number; image?: number; peak: number; phasePeaks: boolean };
}

const env = process.env;
const now = () => performance.now();

async function measure(): Promise<Qwen3VLMeasurement> {
  const device = (env.BENCH_ENGINE ?? 'ggml') as 'wasm' | 'js' | 'ggml';
  const promptLength = Number(env.BENCH_PROMPT ?? 128);
  const decodeTokens = Number(env.BENCH_DECODE ?? 16);
  const batchSize = Number(env.BENCH_BATCH ?? 4);
  const backend: Backend = device === 'ggml' ? await createGgmlBackend() : await createTfjsBackend({ device });
  const wanted = (env.BENCH_STORAGE ?? 'q8_0') as WeightStorage;
  const storage = backend.capabilities.weightStorage.includes(wanted) ? wanted : 'float32';
  const baseline = processMemory.rss();
  const phasePeaks = processMemory.resetPeak();
  let peakBackend = 0;
  const sample = () => (peakBackend = Math.max(peakBackend, backend.memory().bytes));

  const t0 = now();
  const { model, report } = await createQwen3VLPlugin.loadModel(backend, env.BENCH_DIR!, { storage });
  const loadSeconds = (now() - t0) / 1000;
  const load = processMemory.peak();
  const weights = backend.memory().bytes;
  sample();

  processMemory.resetPeak();
  const ids = Array.from({ length: promptLength }, (_, i) => (i * 7919) % 150000);
  const session = model.createSession({ inputIds: [ids], attentionMask: [ids.map(() => 1)] });
  let t = now();
  let logits = await session.prefill();
  await logits.data();
  logits.dispose();
  const prefillSeconds = (now() - t) / 1000;
  sample();
  t = now();
  for (let i = 0; i < decodeTokens; i++) {
    logits = await session.step([(i * 31) % 150000]);
    await logits.data();
    logits.dispose();
    sample();
  }
  const decodeSeconds = (now() - t) / 1000;
  session.dispose();
  const batched = batchSize > 1 ? await decodeBatch(model, batchSize, promptLength, decodeTokens, sample) : undefined;
  const run = processMemory.peak();

  processMemory.resetPeak();
  const image = env.BENCH_IMAGE === '0' ? undefined : await encodeImage(backend, model, sample);
  const imagePeak = image ? processMemory.peak() : undefined;
  const peak = process.resourceUsage().maxRSS * 1024;
  model.dispose();
  backend.dispose();
  return {
    engine: backend.engine,
    storage,
    loadSeconds,
    prefillTokensPerSecond: promptLength / prefillSeconds,
    decodeTokensPerSecond: decodeTokens / decodeSeconds,
    ...(batched === undefined ? {} : { batch: { rows: batchSize, decodeTokensPerSecond: batched } }),
    image,
    checkpointBytes: report!.bytes, // a checkpoint load always reports
    storedBytes: report!.backendBytes,
    backendBytes: { weights, peak: peakBackend },
    rss: { baseline, load, run, image: imagePeak, peak, phasePeaks },
  };
}

/**
 * Decode throughput of a batch of `rows` prompts (left-padded to one length, as the generation engine pads them):
 * one prefill, then `steps` steps of one token per row; returns the tokens of all rows per second of decoding.
 */
async function decodeBatch(model: Qwen3VLModel, rows: number, promptLength: number, steps: number, sample: () => void): Promise<number> {
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const pad = Math.min(8 * r, promptLength - 1);
    inputIds.push(Array.from({ length: promptLength }, (_, i) => (i < pad ? 0 : (i * 7919 + r * 104729) % 150000)));
    attentionMask.push(Array.from({ length: promptLength }, (_, i) => (i < pad ? 0 : 1)));
  }
  const session = model.createSession({ inputIds, attentionMask });
  let logits = await session.prefill();
  await logits.data();
  logits.dispose();
  const t = now();
  for (let i = 0; i < steps; i++) {
    logits = await session.step(Array.from({ length: rows }, (_, r) => (i * 31 + r * 17) % 150000));
    await logits.data();
    logits.dispose();
    sample();
  }
  const seconds = (now() - t) / 1000;
  session.dispose();
  return (rows * steps) / seconds;
}

/** Preprocesses and encodes a 448x448 image (28x28 patches, 196 image tokens). */
async function encodeImage(backend: Backend, model: Qwen3VLModel, sample: () => void): Promise<{ preprocessSeconds: number; encodeSeconds: number }> {
  const side = 448;
  const pixels = new Uint8Array(side * side * 3).map((_, i) => (i * 131) % 256);
  let t = now();
  const pre = preprocessImages([{ data: pixels, width: side, height: side, channels: 3 }], { ...DEFAULT_IMAGE_PREPROCESSOR_CONFIG });
  const preprocessSeconds = (now() - t) / 1000;
  t = now();
  const features = backend.scope(() => {
    const v = model.encodeImages({ pixelValues: pre.pixelValues, imageGridThw: pre.imageGridThw });
    return [v.embeds, ...v.deepstack];
  });
  for (const f of features) await f.data();
  sample();
  features.forEach((f) => f.dispose());
  return { preprocessSeconds, encodeSeconds: (now() - t) / 1000 };
}

process.stdout.write(`RESULT ${JSON.stringify(await measure())}\n`);
