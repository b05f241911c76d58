// PIO on the ggml backend vs node-llama-cpp, same random Qwen3-0.6B-shaped weights, F32 / F16 / Q8_0: a thin caller
// of `@pio/bench` (src). `pnpm bench` in packages/bench. Each engine run is a child process
// (this script again, with `--child <request>`), so one copy of the weights is in memory at a time.
// Env: PIO_BENCH_THREADS (default 2), PIO_BENCH_PROMPT (128), PIO_BENCH_DECODE (64), PIO_BENCH_LAYERS (28),
// PIO_BENCH_STORAGES (float32,float16,q8_0), PIO_BENCH_KV (KV cache of both engines: float16, the default, or float32), PIO_BENCH_RUNS (alternating runs per engine, median reported; 1), PIO_BENCH_WARMUP (untimed warm-up steps per engine run; 8), PIO_BENCH_SHAPE (qwen3-0.6b or tiny), PIO_BENCH_DIR (keeps and reuses
// the GGUF files; default a temporary folder), PIO_BENCH_REPACK (0: PIO without repacked weight layouts; default the backend's, on), PIO_BENCH_REPLAY (0: PIO
// runs the model's forward pass at every decode step instead of replaying the recorded step; default on).
import { fileURLToPath } from 'node:url';
import type { WeightStorage } from '@pio/core';
import {
  BENCH_SHAPES,
  benchChildResultLine,
  compareWithNodeLlamaCpp,
  formatBenchTable,
  runBenchEngine,
  spawnBenchChild,
  type BenchEngineRequest,
} from '../src/index.js';
import { threadsEnv } from '../src/threads-env.js';
import { choiceEnv } from '../src/choice-env.js';
import { intEnv } from '../src/int-env.js';

const [mode, request] = process.argv.slice(2);
if (mode === '--child') {
  const result = await runBenchEngine(JSON.parse(request ?? '') as BenchEngineRequest);
  process.stdout.write(`${benchChildResultLine(result)}\n`);
} else {
  const env = process.env;
  const base = BENCH_SHAPES[(env.PIO_BENCH_SHAPE ?? 'qwen3-0.6b') as keyof typeof BENCH_SHAPES];
  if (!base) throw new Error(`PIO_BENCH_SHAPE must be one of ${Object.keys(BENCH_SHAPES).join(', ')}`);
  const child = { command: process.execPath, args: [...process.execArgv, fileURLToPath(import.meta.url), '--child'] };
  const comparison = await compareWithNodeLlamaCpp({
    shape: { ...base, layers: intEnv('PIO_BENCH_LAYERS', base.layers, { what: 'decoder layers' }) },
    storages: (env.PIO_BENCH_STORAGES ?? 'float32,float16,q8_0').split(',') as WeightStorage[],
    threads: threadsEnv('PIO_BENCH_THREADS'),
    promptTokens: intEnv('PIO_BENCH_PROMPT', 128, { what: 'prompt tokens' }),
    decodeTokens: intEnv('PIO_BENCH_DECODE', 64, { what: 'decode steps' }),
    kvCacheStorage: choiceEnv<'float16' | 'float32'>('PIO_BENCH_KV', 'float16', ['float16', 'float32']),
    runs: intEnv('PIO_BENCH_RUNS', 1, { what: 'runs' }),
    warmupTokens: intEnv('PIO_BENCH_WARMUP', 8, { min: 0, what: 'warm-up steps' }),
    ...(env.PIO_BENCH_REPACK === undefined ? {} : { repackWeights: choiceEnv('PIO_BENCH_REPACK', '1', ['0', '1']) === '1' }),
    ...(env.PIO_BENCH_REPLAY === undefined ? {} : { replaySteps: choiceEnv('PIO_BENCH_REPLAY', '1', ['0', '1']) === '1' }),
    ...(env.PIO_BENCH_DIR ? { directory: env.PIO_BENCH_DIR } : {}),
    runEngine: (req, signal) => spawnBenchChild(child, req, signal),
    onProgress: (event) => {
      if (event.stage === 'writing-gguf') process.stderr.write(`writing ${event.path}\n`);
      if (event.stage === 'running') process.stderr.write(`running ${event.engine} (${event.storage})\n`);
    },
  });
  const load = comparison.rows.at(-1)?.loadAverage ?? [];
  process.stdout.write(`${formatBenchTable(comparison).join('\n')}\n(load average ${load.map((v) => v.toFixed(1)).join(' ')})\n`);
}
