// Repacked vs plain weight layouts on ggml (`repackWeights`): the products of a Qwen3-0.6B layer's seven matrices
// (q 2048x1024, k/v 1024x1024, o 1024x2048, gate/up 3072x1024, down 1024x3072) repeated over PIO_BENCH_LAYERS layers,
// for one row (a decode step's shape) and for PIO_BENCH_PROMPT rows (a prefill's), as one graph each. One process, the
// same random weights uploaded to a backend of each kind; runs alternate (repacked, plain, repacked, ...) and the
// medians are printed with the load average. Not run in CI or tests. `pnpm bench:repack` in packages/bench.
// Env: PIO_BENCH_STORAGE (q4_0), PIO_BENCH_LAYERS (4), PIO_BENCH_PROMPT (128), PIO_BENCH_RUNS (5), PIO_BENCH_THREADS (2).
import { loadavg } from 'node:os';
import type { Tensor, Weight, WeightStorage } from '@pio/core';
import { createGgmlBackend, type GgmlBackend } from '@pio/backend-ggml';
import { threadsEnv } from '../src/threads-env.js';
import { intEnv } from '../src/int-env.js';

const env = process.env;
const storage = (env.PIO_BENCH_STORAGE ?? 'q4_0') as WeightStorage;
const layers = intEnv('PIO_BENCH_LAYERS', 4, { what: 'decoder layers' });
const promptRows = intEnv('PIO_BENCH_PROMPT', 128, { what: 'prompt tokens' });
const runs = intEnv('PIO_BENCH_RUNS', 5, { what: 'runs' });
const threads = threadsEnv('PIO_BENCH_THREADS');
const MATRICES: ReadonlyArray<readonly [number, number]> = [
  [2048, 1024],
  [1024, 1024],
  [1024, 1024],
  [1024, 2048],
  [3072, 1024],
  [3072, 1024],
  [1024, 3072],
];

/** Deterministic values in [-0.05, 0.05). */
function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 0.1;
  }
  return out;
}

const hostWeights = Array.from({ length: layers }, (_, l) =>
  MATRICES.map(([out, inDim], m) => ({ out, inDim, values: randomValues(out * inDim, 1000 * l + m + 1) })),
);

interface Side {
  name: string;
  backend: GgmlBackend;
  weights: Weight[][];
}

async function side(name: string, repackWeights: boolean): Promise<Side> {
  const backend = await createGgmlBackend({ device: 'cpu', threads, repackWeights });
  const weights = hostWeights.map((layer) =>
    layer.map((w) => backend.weight({ dtype: 'F32', shape: [w.out, w.inDim], bytes: new Uint8Array(w.values.buffer) }, { role: 'linear', storage })),
  );
  return { name, backend, weights };
}

/**
 * Each backend keeps a ggml threadpool whose idle worker polls (spins) for ~180 ms after a computation before it
 * sleeps: on 2 cores the other side's spinning worker would take a core from the graph being timed. Wait it out.
 */
const IDLE_POLL_MS = 300;

/** Milliseconds of one graph: every matrix of every layer times `rows` rows of activations. */
async function time(s: Side, rows: number): Promise<number> {
  const b = s.backend;
  await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
  const t0 = performance.now();
  const result = b.scope(() => {
    const outs: Tensor[] = [];
    for (const layer of s.weights) {
      for (const w of layer) outs.push(b.sum(b.linear(b.tensor(randomValues(rows * w.shape[1], rows), [rows, w.shape[1]]), w), -1));
    }
    return b.concat(outs, 0);
  });
  await result.data();
  result.dispose();
  return performance.now() - t0;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const sides = [await side('repacked', true), await side('plain', false)];
process.stdout.write(`${sides[0].name}: ${sides[0].backend.weightRepack.reason}\n`);
const results = new Map<string, { decode: number[]; prefill: number[] }>(sides.map((s) => [s.name, { decode: [], prefill: [] }]));
for (const s of sides) {
  await time(s, 1); // warm up (first graphs are built, later ones reused)
  await time(s, promptRows);
}
for (let r = 0; r < runs; r++) {
  for (const s of sides) {
    const entry = results.get(s.name) as { decode: number[]; prefill: number[] };
    entry.decode.push(await time(s, 1));
    entry.prefill.push(await time(s, promptRows));
  }
}
const load = loadavg()
  .map((v) => v.toFixed(1))
  .join(' ');
process.stdout.write(`${storage}, ${layers} layers x 7 matrices, ${threads} threads, median of ${runs} alternating runs (load average ${load})\n`);
for (const s of sides) {
  const { decode, prefill } = results.get(s.name) as { decode: number[]; prefill: number[] };
  process.stdout.write(`${s.name.padEnd(9)} 1 row: ${median(decode).toFixed(2)} ms   ${promptRows} rows: ${median(prefill).toFixed(2)} ms\n`);
}
for (const s of sides) s.backend.dispose();
