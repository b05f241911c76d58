/**
 * GLM-4.7-Flash bench: load time, prefill and decode tokens/s, resident memory (process RSS and backend bytes) and
 * routed-expert cache traffic, per tfjs engine and weight storage, on random-weight checkpoints of the real widths
 * (REAL_GLM47_FLASH_CONFIG: hidden 2048, 20 heads, q_lora 768, kv_lora 512, 64 routed experts of 1536, top-4):
 * - `layer`: one real-size MoE decoder layer (MLA + 64 experts + shared expert), small vocabulary, all experts resident;
 * - `model`: a reduced-depth model (1 dense + BENCH_LAYERS-1 MoE layers, real 154880 vocabulary), experts loaded lazily
 *   from the safetensors shards with an LRU of BENCH_EXPERTS experts.
 *
 * Run: `pnpm --filter @pio/plugin-glm-flash bench` (bench/run-bench.mjs bundles this file and runs each engine x storage
 * in its own process, so RSS is per configuration; env: BENCH_ENGINES=wasm,js,ggml BENCH_STORAGES=bfloat16,int8,int4,float16,q8_0
 * BENCH_PARTS=layer,model BENCH_PROMPT=32 BENCH_DECODE=8 BENCH_LAYERS=3 BENCH_EXPERTS=32 BENCH_DIR=/tmp/glm-flash-bench,
 * or PIO_BENCH_DIR/glm-flash). Prints a Markdown table. Checkpoints are written once to BENCH_DIR and reused; run-bench.mjs
 * writes them in a process of their own first (`BENCH_WRITE_ONLY=1`), so the random host tensors never count in a
 * measured process. Peak RSS is the kernel's high-water mark of the process (load, prefill and decode).
 */
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend, WeightStorage } from '@pio/core';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createTfjsBackend } from '@pio/backend-tfjs';
import { parseGlmFlashConfig } from '../src/glm-flash-config.js';
import { loadGlmFlashModel } from '../src/load-glm-flash-model.js';
import { REAL_GLM47_FLASH_CONFIG } from '../src/real-config.js';
import { writeRandomCheckpoint } from './random-checkpoint.js';

const env = process.env;
const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').filter(Boolean);
const engines = list(env.BENCH_ENGINES, 'wasm,js') as Array<'wasm' | 'js' | 'ggml'>;
const storages = list(env.BENCH_STORAGES, 'bfloat16,int8,int4') as WeightStorage[];
const parts = list(env.BENCH_PARTS, 'layer,model');
const promptLength = Number(env.BENCH_PROMPT ?? 32);
const decodeTokens = Number(env.BENCH_DECODE ?? 8);
const layers = Number(env.BENCH_LAYERS ?? 3);
const expertCapacity = Number(env.BENCH_EXPERTS ?? 32);
const root = env.BENCH_DIR ?? (env.PIO_BENCH_DIR ? join(env.PIO_BENCH_DIR, 'glm-flash') : '/tmp/glm-flash-bench');
/** Peak resident set size of this process, bytes (Linux `VmHWM`, else `maxRSS`). */
const peakRss = (): number => {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  } catch {
    return process.resourceUsage().maxRSS * 1024;
  }
};
const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)}`;
const now = () => performance.now();
const out = (line: string) => process.stdout.write(`${line}\n`);

const PARTS = {
  layer: { json: { ...REAL_GLM47_FLASH_CONFIG, num_hidden_layers: 1, mlp_layer_types: ['sparse'], vocab_size: 4096 }, capacity: Infinity },
  model: { json: { ...REAL_GLM47_FLASH_CONFIG, num_hidden_layers: layers }, capacity: expertCapacity },
} as const;

async function ensureCheckpoint(part: keyof typeof PARTS): Promise<string> {
  const dir = join(root, part === 'model' ? `model-${layers}l` : 'layer');
  const exists = await access(join(dir, 'model.safetensors.index.json')).then(() => true, () => false);
  if (!exists) await writeRandomCheckpoint(dir, parseGlmFlashConfig(PARTS[part].json), PARTS[part].json);
  return dir;
}

async function run(part: keyof typeof PARTS, device: 'wasm' | 'js' | 'ggml', storage: WeightStorage, dir: string): Promise<string> {
  let backend: Backend;
  try {
    backend = device === 'ggml' ? await createGgmlBackend() : await createTfjsBackend({ device });
  } catch (error) {
    return `| ${part} | ${device} | ${storage} | unavailable: ${String(error).slice(0, 60)} |`;
  }
  const actual = backend.capabilities.weightStorage.includes(storage) ? storage : 'float32';
  const t0 = now();
  const loaded = await loadGlmFlashModel(backend, dir, { storage: actual, expertCapacity: PARTS[part].capacity });
  const loadSeconds = (now() - t0) / 1000;
  const model = loaded.model;
  const vocab = model.vocabSize;
  const ids = Array.from({ length: promptLength }, (_, i) => (i * 7919 + 13) % vocab);
  const session = model.createSession({ inputIds: [ids], attentionMask: [ids.map(() => 1)] });
  let t = now();
  let logits = await session.prefill();
  await logits.data();
  logits.dispose();
  const prefillSeconds = (now() - t) / 1000;
  t = now();
  for (let i = 0; i < decodeTokens; i++) {
    logits = await session.step([(i * 31 + 7) % vocab]);
    await logits.data();
    logits.dispose();
  }
  const decodeSeconds = (now() - t) / 1000;
  const rss = process.memoryUsage().rss;
  const peak = peakRss();
  const backendBytes = backend.memory().bytes;
  const experts = model.experts.stats();
  session.dispose();
  model.dispose();
  await loaded.close();
  backend.dispose();
  return (
    `| ${part} | ${backend.engine} | ${actual} | ${loadSeconds.toFixed(1)} | ${(promptLength / prefillSeconds).toFixed(1)} | ` +
    `${(decodeTokens / decodeSeconds).toFixed(2)} | ${gib(rss)} | ${gib(peak)} | ${gib(backendBytes)} | ${(peak / backendBytes).toFixed(2)} | ${experts.resident}/${experts.capacity} | ${experts.loads} |`
  );
}

if (env.BENCH_HEADER !== '0') {
  out(`GLM-4.7-Flash bench: prompt ${promptLength} tokens, ${decodeTokens} decode steps, model = ${layers} layers, expert LRU ${expertCapacity}`);
  out('| part | engine | storage | load s | prefill tok/s | decode tok/s | RSS GiB | peak RSS GiB | backend GiB | peak RSS / backend | experts resident/cap | expert loads |');
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
}
if (env.BENCH_WRITE_ONLY === '1') {
  for (const part of parts as Array<keyof typeof PARTS>) await ensureCheckpoint(part);
  process.exit(0);
}
for (const part of parts as Array<keyof typeof PARTS>) {
  const dir = await ensureCheckpoint(part);
  for (const device of engines) for (const storage of storages) out(await run(part, device, storage, dir));
}
