/**
 * GLM-4.7-Flash bench: load time, prefill and decode tokens/s, resident memory (process RSS and backend bytes) and
 * routed-expert cache traffic, per tfjs engine and weight storage, on random-weight checkpoints of the real widths
 * (REAL_GLM47_FLASH_CONFIG: hidden 2048, 20 heads, q_lora 768, kv_lora 512, 64 routed experts of 1536, top-4):
 * - `layer`: one real-size MoE decoder layer (MLA + 64 experts + shared expert), small vocabulary, all experts resident;
 * - `model`: a reduced-depth model (1 dense + BENCH_LAYERS-1 MoE layers, real 154880 vocabulary), every expert resident
 *   and stacked per layer (default), or with BENCH_EXPERTS=n loaded lazily from the safetensors shards through an LRU of
 *   n experts (an untimed pass of the same tokens loads them first; the table reports loads inside the timed pass).
 *
 * A storage the engine does not hold is mapped only to the ggml block format that implements it (int8 → q8_0,
 * int4 → q4_0, shown as `int4 → q4_0`); anything else makes the run fail with a message, never a silent float32.
 *
 * Run: `pnpm --filter @pio/plugin-glm-flash bench` (bench/run-bench.mjs bundles this file and runs each engine x storage
 * in its own process, so RSS is per configuration; env: BENCH_ENGINES=wasm,js,ggml BENCH_STORAGES=bfloat16,int8,int4,float16,q8_0
 * BENCH_PARTS=layer,model BENCH_PROMPT=32 BENCH_DECODE=8 BENCH_LAYERS=3 BENCH_EXPERTS=all BENCH_BUDGET=all (resident experts per
 * MoE layer of the `model` part: `expertBudget`) BENCH_KV=float32|float16 BENCH_DIR=/tmp/glm-flash-bench,
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
import { createGlmFlashPlugin } from '../src/glm-flash-plugin.js';
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
const expertCapacity = env.BENCH_EXPERTS === undefined || env.BENCH_EXPERTS === 'all' ? Infinity : Number(env.BENCH_EXPERTS);
/** Resident routed experts per MoE layer (`expertBudget`; default all). */
const expertBudget = env.BENCH_BUDGET === undefined || env.BENCH_BUDGET === 'all' ? undefined : Number(env.BENCH_BUDGET);
const kvCacheStorage = env.BENCH_KV === 'float16' ? 'float16' : undefined;
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

/**
 * The storage `backend` holds for a requested one: itself when listed in its capabilities, else the ggml block format
 * that implements PIO's weight-only type on ggml (`int8` → `q8_0`, `int4` → `q4_0`, the backend's own mapping), else
 * undefined (the run refuses: a benchmark never substitutes a setting silently).
 */
function storageOn(backend: Backend, storage: WeightStorage): WeightStorage | undefined {
  const held = backend.capabilities.weightStorage;
  if (held.includes(storage)) return storage;
  const block: Partial<Record<WeightStorage, WeightStorage>> = { int8: 'q8_0', int4: 'q4_0' };
  const mapped = block[storage];
  return mapped !== undefined && held.includes(mapped) ? mapped : undefined;
}

const PARTS = {
  layer: { json: { ...REAL_GLM47_FLASH_CONFIG, num_hidden_layers: 1, mlp_layer_types: ['sparse'], vocab_size: 4096 }, capacity: Infinity },
  model: { json: { ...REAL_GLM47_FLASH_CONFIG, num_hidden_layers: layers }, capacity: expertCapacity },
} as const;

async function ensureCheckpoint(part: keyof typeof PARTS): Promise<string> {
  const dir = join(root, part === 'model' ? `model-${layers}l` : 'layer');
  const exists = await access(join(dir, 'model.safetensors.index.json')).then(
    () => true,
    () => false,
  );
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
  const actual = storageOn(backend, storage);
  if (actual === undefined) {
    backend.dispose();
    throw new Error(`${backend.engine} has no '${storage}' storage (it holds ${backend.capabilities.weightStorage.join(', ')}); choose one of those`);
  }
  const t0 = now();
  const budget = part === 'model' ? expertBudget : undefined;
  const loaded = await createGlmFlashPlugin.loadModel(
    backend,
    dir,
    { storage: actual, expertBudget: budget, ...(kvCacheStorage ? { kvCacheStorage } : {}) },
    { expertCapacity: PARTS[part].capacity },
  );
  const loadSeconds = (now() - t0) / 1000;
  const model = loaded.model;
  const vocab = model.vocabSize;
  const ids = Array.from({ length: promptLength }, (_, i) => (i * 7919 + 13) % vocab);
  const pass = async (timed: (phase: 'prefill' | 'decode', seconds: number) => void) => {
    const session = model.createSession({ inputIds: [ids], attentionMask: [ids.map(() => 1)] });
    let t = now();
    let logits = await session.prefill();
    await logits.data();
    logits.dispose();
    timed('prefill', (now() - t) / 1000);
    t = now();
    for (let i = 0; i < decodeTokens; i++) {
      logits = await session.step([(i * 31 + 7) % vocab]);
      await logits.data();
      logits.dispose();
    }
    timed('decode', (now() - t) / 1000);
    session.dispose();
  };
  // with a bounded expert budget, an untimed pass of the same tokens first loads the experts they route to (as far as
  // the budget holds them), so the timed pass measures compute, not checkpoint reads; its own loads are reported
  if (PARTS[part].capacity !== Infinity || budget !== undefined) await pass(() => {});
  const loadsBefore = model.experts.stats().loads;
  const seconds = { prefill: 0, decode: 0 };
  await pass((phase, s) => (seconds[phase] = s));
  const prefillSeconds = seconds.prefill;
  const decodeSeconds = seconds.decode;
  const rss = process.memoryUsage().rss;
  const peak = peakRss();
  const backendBytes = backend.memory().bytes;
  const experts = model.experts.stats();
  const timedLoads = experts.loads - loadsBefore;
  model.dispose();
  await loaded.close();
  backend.dispose();
  return (
    `| ${part} | ${backend.engine} | ${actual === storage ? storage : `${storage} → ${actual}`} | ${loadSeconds.toFixed(1)} | ${(promptLength / prefillSeconds).toFixed(1)} | ` +
    `${(decodeTokens / decodeSeconds).toFixed(2)} | ${gib(rss)} | ${gib(peak)} | ${gib(backendBytes)} | ${(peak / backendBytes).toFixed(2)} | ${experts.resident}/${experts.capacity} | ${experts.loads} (${timedLoads} timed) |`
  );
}

if (env.BENCH_HEADER !== '0') {
  out(
    `GLM-4.7-Flash bench: prompt ${promptLength} tokens, ${decodeTokens} decode steps, model = ${layers} layers, experts ${expertBudget !== undefined ? `budget ${expertBudget} per MoE layer (slots)` : expertCapacity === Infinity ? 'all resident (stacked)' : `LRU ${expertCapacity}`}${kvCacheStorage ? ', float16 KV cache' : ''}`,
  );
  out(
    '| part | engine | storage | load s | prefill tok/s | decode tok/s | RSS GiB | peak RSS GiB | backend GiB | peak RSS / backend | experts resident/cap | expert loads |',
  );
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
