/**
 * Qwen3-VL bench: prefill and decode tokens/s, peak memory (RSS and backend bytes) of a Qwen3-VL-2B-shaped model
 * with random BF16 weights made in memory, and the time to encode a 448x448 image, on each available engine (tfjs
 * wasm and plain JS, ggml).
 *
 * Run: `pnpm --filter @pio/plugin-qwen3-vl bench` (env: BENCH_ENGINES=wasm,js,ggml  BENCH_PROMPT=128  BENCH_DECODE=16
 * BENCH_STORAGE=bfloat16|int8|float32|float16|q8_0  BENCH_LAYERS=28  BENCH_IMAGE=1). Prints a Markdown table.
 */
import type { Backend, WeightStorage } from '@pio/core';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createTfjsBackend } from '@pio/backend-tfjs';
import { preprocessImages } from '../src/image/image-processor.js';
import { DEFAULT_IMAGE_PREPROCESSOR_CONFIG } from '../src/image/preprocessor-config.js';
import { estimateQwen3VLMemory } from '../src/estimate-memory.js';
import { parseQwen3VLConfig } from '../src/qwen3-vl-config.js';
import { Qwen3VLModel } from '../src/qwen3-vl-model.js';
import { QWEN3_VL_2B_CONFIG_JSON } from './qwen3-vl-2b-config.js';
import { createRandomWeightSource } from './random-weight-source.js';

const env = process.env;
const engines = (env.BENCH_ENGINES ?? 'wasm,js').split(',');
const promptLength = Number(env.BENCH_PROMPT ?? 128);
const decodeTokens = Number(env.BENCH_DECODE ?? 16);
const layers = Number(env.BENCH_LAYERS ?? 28);
const withImage = env.BENCH_IMAGE !== '0';
const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
const now = () => performance.now();
const out = (line: string) => process.stdout.write(`${line}\n`);

function pickStorage(backend: Backend): WeightStorage {
  const wanted = (env.BENCH_STORAGE ?? 'bfloat16') as WeightStorage;
  return backend.capabilities.weightStorage.includes(wanted) ? wanted : 'float32';
}

async function benchEngine(device: 'wasm' | 'js' | 'ggml'): Promise<string[]> {
  let backend: Backend;
  try {
    backend = device === 'ggml' ? await createGgmlBackend() : await createTfjsBackend({ device });
  } catch (error) {
    return [`| ${device} | unavailable: ${String(error).slice(0, 80)} |`];
  }
  const json = structuredClone(QWEN3_VL_2B_CONFIG_JSON);
  json.text_config.num_hidden_layers = layers;
  json.vision_config.deepstack_visual_indexes = json.vision_config.deepstack_visual_indexes.slice(0, layers);
  const config = parseQwen3VLConfig(json);
  const storage = pickStorage(backend);
  let peakBackend = 0;
  const sample = () => (peakBackend = Math.max(peakBackend, backend.memory().bytes));
  const t0 = now();
  const model = await Qwen3VLModel.load(backend, createRandomWeightSource(backend), config, { storage });
  const loadSeconds = (now() - t0) / 1000;
  sample();
  const weightsBytes = backend.memory().bytes;

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

  const image = withImage ? await encodeImage(backend, model, sample) : undefined;
  const rss = process.resourceUsage().maxRSS * 1024;
  model.dispose();
  backend.dispose();
  const imageCell = image ? `${image.preprocessSeconds.toFixed(2)} s + ${image.encodeSeconds.toFixed(2)} s` : 'not run';
  return [
    `| ${backend.engine} | ${storage} | ${layers} | ${loadSeconds.toFixed(1)} s | ${(promptLength / prefillSeconds).toFixed(2)} | ` +
      `${(decodeTokens / decodeSeconds).toFixed(2)} | ${imageCell} | ${gib(weightsBytes)} / ${gib(peakBackend)} | ${gib(rss)} |`,
  ];
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

async function main(): Promise<void> {
  const config = parseQwen3VLConfig(QWEN3_VL_2B_CONFIG_JSON);
  const f32 = estimateQwen3VLMemory(config, 'float32');
  out(`# Qwen3-VL-2B-shaped bench (${new Date().toISOString()}, Node ${process.version})`);
  out(`parameters ${(f32.parameters / 1e9).toFixed(3)} B; float32 weights ${gib(f32.weightBytes)}; prompt ${promptLength} tokens, ${decodeTokens} decode steps`);
  out('');
  out('| engine | storage | layers | load | prefill tok/s | decode tok/s | 448x448 image: preprocess + encode | backend bytes (weights / peak) | peak RSS |');
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const engine of engines) {
    for (const line of await benchEngine(engine as 'wasm' | 'js' | 'ggml')) out(line);
  }
}

await main();
