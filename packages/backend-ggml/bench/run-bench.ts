// PIO on the ggml backend vs node-llama-cpp, same random Qwen3-0.6B-shaped weights, F32 / F16 / Q8_0.
// `pnpm bench` in packages/backend-ggml. Each engine run is a child process (one copy of the weights at a time).
// Env: PIO_BENCH_THREADS (default 2), PIO_BENCH_PROMPT (128), PIO_BENCH_DECODE (64), PIO_BENCH_LAYERS (28),
// PIO_BENCH_STORAGES (float32,float16,q8_0), PIO_BENCH_DIR (a temp folder).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WeightStorage } from '@pio/core';
import { loadGgml } from '../src/runtime/load-ggml.js';
import { locateBinaries } from '../src/runtime/locate-binaries.js';
import { writeBenchGguf } from './bench-gguf.js';
import { runLlama, runPio, type EngineResult } from './bench-engines.js';
import { QWEN3_0_6B, randomWeights } from './qwen3-shape.js';

const env = process.env;
const threads = Number(env.PIO_BENCH_THREADS ?? 2);
const promptLen = Number(env.PIO_BENCH_PROMPT ?? 128);
const steps = Number(env.PIO_BENCH_DECODE ?? 64);
const shape = { ...QWEN3_0_6B, layers: Number(env.PIO_BENCH_LAYERS ?? QWEN3_0_6B.layers) };
const storages = (env.PIO_BENCH_STORAGES ?? 'float32,float16,q8_0').split(',') as WeightStorage[];
const dir = env.PIO_BENCH_DIR ?? join(tmpdir(), 'pio-ggml-bench');
const BANDWIDTH = 31e9; // bytes/s measured on the benchmark machine
const prompt = Array.from({ length: promptLen }, (_, i) => 256 + ((i * 7919) % (shape.vocab - 256)));
const ggufPath = (s: WeightStorage) => join(dir, `qwen3-random-${shape.layers}l-${s}.gguf`);

async function child(engine: string, storage: WeightStorage): Promise<void> {
  const result: EngineResult = engine === 'pio'
    ? await runPio(shape, randomWeights(shape), storage, prompt, steps, threads)
    : await runLlama(ggufPath(storage), prompt, steps, threads);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { api } = await loadGgml(locateBinaries()[0]);
  let weights = randomWeights(shape);
  // the weights are deterministic: files from an earlier run in PIO_BENCH_DIR are reused
  for (const s of storages) if (!(env.PIO_BENCH_DIR && existsSync(ggufPath(s)))) writeBenchGguf(api, ggufPath(s), shape, weights, s);
  weights = [];
  const self = fileURLToPath(import.meta.url);
  const run = (engine: string, s: WeightStorage): EngineResult => {
    const out = execFileSync(process.execPath, [...process.execArgv, self, engine, s], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'ignore'] });
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`${engine} ${s} printed no result`);
    return JSON.parse(line.slice(7)) as EngineResult;
  };
  const rows: string[] = [];
  rows.push(`Qwen3-0.6B-shaped (${shape.layers} layers), random weights, prompt ${promptLen}, decode ${steps}, ${threads} threads, ${new Date().toISOString()}`);
  rows.push('| storage | engine | prefill tok/s | decode tok/s | decode GB/s (share of 31) | PIO/llama prefill | PIO/llama decode | greedy tokens equal |');
  rows.push('|---|---|---|---|---|---|---|---|');
  for (const s of storages) {
    const pio = run('pio', s);
    const llama = run('llama', s);
    const bytes = pio.weightBytes ?? 0;
    const rate = (r: EngineResult) => ({ pre: promptLen / (r.prefillMs / 1000), dec: 1000 / median(r.decodeMs) });
    const [p, l] = [rate(pio), rate(llama)];
    let same = 0;
    while (same < Math.min(pio.tokens.length, llama.tokens.length) && pio.tokens[same] === llama.tokens[same]) same++;
    const gbs = (dec: number) => `${((bytes * dec) / 1e9).toFixed(1)} (${((100 * bytes * dec) / BANDWIDTH).toFixed(0)}%)`;
    rows.push(`| ${s} | PIO ggml | ${p.pre.toFixed(1)} | ${p.dec.toFixed(2)} | ${gbs(p.dec)} | ${(p.pre / l.pre).toFixed(2)} | ${(p.dec / l.dec).toFixed(2)} | first ${same} of ${Math.min(pio.tokens.length, llama.tokens.length)} |`);
    rows.push(`| ${s} | node-llama-cpp | ${l.pre.toFixed(1)} | ${l.dec.toFixed(2)} | ${gbs(l.dec)} | | | |`);
    process.stdout.write(`${rows.join('\n')}\n(load average ${loadavg().map((v) => v.toFixed(1)).join(' ')})\n\n`);
    rows.splice(3);
  }
  if (!env.PIO_BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}

const [engine, storage] = process.argv.slice(2);
await (engine ? child(engine, storage as WeightStorage) : main());
