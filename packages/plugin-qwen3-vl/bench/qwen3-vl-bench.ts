/**
 * Qwen3-VL bench: load time, prefill and decode tokens/s, the 448x448 image encode, and resident memory against the
 * stored weight bytes, for a Qwen3-VL-2B-shaped model with random BF16 weights loaded FROM DISK like a real one.
 *
 * The checkpoint (4.0 GiB for 28 layers) is written once, by its own process, to `$PIO_BENCH_DIR/qwen3-vl-2b-<layers>l`
 * (default `$TMPDIR/pio-bench`) and reused. Each engine x storage then runs in its own process
 * (`measure-qwen3-vl.ts`, bundled with esbuild so no TypeScript loader sits in the measured memory).
 *
 * Run: `pnpm --filter @pio/plugin-qwen3-vl bench` (env: BENCH_ENGINES=ggml,wasm,js  BENCH_STORAGE=q8_0,float16,...
 * BENCH_PROMPT=128  BENCH_DECODE=16  BENCH_BATCH=4  BENCH_LAYERS=28  BENCH_IMAGE=0|1  PIO_BENCH_DIR). Prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimateQwen3VLMemory } from '../src/estimate-memory.js';
import { parseQwen3VLConfig } from '../src/qwen3-vl-config.js';
import type { Qwen3VLMeasurement } from './measure-qwen3-vl.js';
import { qwen3VL2bConfigJson } from './write-random-checkpoint.js';

const env = process.env;
const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').filter(Boolean);
const engines = list(env.BENCH_ENGINES, 'ggml');
const storages = list(env.BENCH_STORAGE, 'q8_0');
const layers = Number(env.BENCH_LAYERS ?? 28);
const here = dirname(fileURLToPath(import.meta.url));
const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)}`;
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Writes the random checkpoint in a child process unless it is there already; returns its folder. */
function ensureCheckpoint(): string {
  const dir = join(env.PIO_BENCH_DIR ?? join(tmpdir(), 'pio-bench'), `qwen3-vl-2b-${layers}l`);
  if (existsSync(join(dir, 'model.safetensors.index.json'))) return dir;
  out(`writing the random checkpoint to ${dir} (once) ...`);
  const writer = spawnSync(process.execPath, [...process.execArgv, join(here, 'write-random-checkpoint.ts'), dir, String(layers)], { stdio: 'inherit' });
  if (writer.status !== 0) throw new Error(`writing the checkpoint failed (exit ${writer.status})`);
  return dir;
}

/** Bundles measure-qwen3-vl.ts (workspace sources through `@pio/source`; native packages stay external). */
function bundle(): string {
  const outDir = join(here, '.build');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'node_modules'), { recursive: true });
  const links: Array<[string, string]> = [
    [join(here, '..', '..', 'backend-tfjs', 'node_modules', '@tensorflow'), '@tensorflow'],
    [join(here, '..', '..', 'backend-ggml', 'node_modules', 'koffi'), 'koffi'],
    [join(here, '..', '..', 'backend-ggml', 'node_modules', '@node-llama-cpp'), '@node-llama-cpp'],
    [join(here, '..', 'node_modules', 'sharp'), 'sharp'],
  ];
  for (const [target, name] of links) if (existsSync(target)) symlinkSync(target, join(outDir, 'node_modules', name), 'dir');
  const outfile = join(outDir, 'measure-qwen3-vl.mjs');
  const external = ['@tensorflow/*', 'koffi', '@node-llama-cpp/*', 'sharp'].map((name) => `--external:${name}`);
  const built = spawnSync(
    join(here, '..', '..', '..', 'node_modules', '.bin', 'esbuild'),
    [
      join(here, 'measure-qwen3-vl.ts'),
      `--outfile=${outfile}`,
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--conditions=@pio/source',
      ...external,
      "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      '--log-level=warning',
    ],
    { stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error(`esbuild failed (exit ${built.status})`);
  return outfile;
}

function row(engine: string, storage: string, bundled: string, dir: string): string {
  const child = spawnSync(process.execPath, ['--max-old-space-size=16384', bundled], {
    env: { ...env, BENCH_ENGINE: engine, BENCH_STORAGE: storage, BENCH_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) return `| ${engine} | ${storage} | failed (exit ${child.status}) |`;
  const m = JSON.parse(line.slice('RESULT '.length)) as Qwen3VLMeasurement;
  const image = m.image ? `${m.image.preprocessSeconds.toFixed(2)} s + ${m.image.encodeSeconds.toFixed(2)} s` : 'not run';
  const phases = m.rss.phasePeaks ? `${gib(m.rss.load)} / ${gib(m.rss.run)} / ${m.rss.image === undefined ? '-' : gib(m.rss.image)}` : 'n/a';
  return (
    `| ${m.engine} | ${m.storage} | ${m.loadSeconds.toFixed(1)} s | ${m.prefillTokensPerSecond.toFixed(2)} | ${m.decodeTokensPerSecond.toFixed(2)} | ${m.batch ? `${m.batch.decodeTokensPerSecond.toFixed(2)} (x${(m.batch.decodeTokensPerSecond / m.decodeTokensPerSecond).toFixed(2)})` : '-'} | ${image} | ` +
    `${gib(m.checkpointBytes)} | ${gib(m.storedBytes)} | ${gib(m.backendBytes.peak)} | ${gib(m.rss.baseline)} | ${phases} | ${gib(m.rss.peak)} | ` +
    `${(m.rss.peak / m.storedBytes).toFixed(3)} |`
  );
}

const config = parseQwen3VLConfig(qwen3VL2bConfigJson(layers));
const dir = ensureCheckpoint();
const bundled = bundle();
out(`# Qwen3-VL-2B-shaped bench (${new Date().toISOString()}, Node ${process.version})`);
out(
  `${(estimateQwen3VLMemory(config, 'float32').parameters / 1e9).toFixed(3)} B parameters, ${layers} text layers, checkpoint ${dir}; ` +
    `prompt ${env.BENCH_PROMPT ?? 128} tokens, ${env.BENCH_DECODE ?? 16} decode steps. Memory in GiB; RSS peaks per phase: load / prefill+decode / image.`,
);
out('');
out(
  `| engine | storage | load | prefill tok/s | decode tok/s | batch of ${env.BENCH_BATCH ?? 4}: decode tok/s, all rows (vs one row) | 448x448 image: preprocess + encode | checkpoint | stored weights | backend peak | RSS before load | peak RSS load / run / image | peak RSS | peak RSS / stored |`,
);
out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const engine of engines) for (const storage of storages) out(row(engine, storage, bundled, dir));
