// Per-op and matmul timings (median of N runs) for every tfjs engine installed, side by side.
//
//   pnpm --filter @pio/backend-tfjs bench                 # all engines found (gpu, cpu, wasm, js)
//   BENCH_DEVICES=wasm BENCH_RUNS=15 pnpm --filter @pio/backend-tfjs bench
//
// Each figure includes reading the result back (`await data()`), as a decode step would. Timings are never asserted.
import { cpus, loadavg } from 'node:os';
import type { Backend, Tensor } from '@pio/core';
import { createTfjsBackend, EngineUnavailableError, selectEngine, type TfjsDevice } from '../src/index.js';
import { WASM_SPLIT_MIN_ROWS } from '../src/ops/matmul-core.js';
import { seededRandom as random } from '../src/__fixtures__/seeded-random.js';

const devices = (process.env.BENCH_DEVICES ?? 'gpu,cpu,wasm,js').split(',').filter(Boolean) as TfjsDevice[];
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

/** Median wall time in ms of `fn` (warm-up run first); `runs` shrinks for slow cases. */
async function time(fn: () => Tensor | Promise<unknown>, runs = RUNS): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const r = await fn();
    if (r && typeof (r as Tensor).data === 'function') {
      await (r as Tensor).data();
      (r as Tensor).dispose();
    }
    return performance.now() - t0;
  };
  const first = await once();
  const n = first > 1000 ? Math.min(runs, 3) : runs;
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

type Case = { name: string; run: (b: Backend) => Promise<number> };

const f32 = (shape: number[], seed: number) => ({
  dtype: 'F32' as const,
  shape,
  bytes: new Uint8Array(
    random(
      shape.reduce((a, d) => a * d, 1),
      seed,
    ).buffer,
  ),
});

function opCase(name: string, make: (b: Backend) => { op: () => Tensor; inputs: Tensor[] }): Case {
  return {
    name,
    run: async (b) => {
      const { op, inputs } = make(b);
      const ms = await time(() => b.scope(op));
      inputs.forEach((t) => t.dispose());
      return ms;
    },
  };
}

function linearCase(name: string, rows: number, inF: number, outF: number, layout: 'weight' | 'transposed' | 'int8' | 'bfloat16'): Case {
  return opCase(name, (b) => {
    const x = b.tensor(random(rows * inF, 1), [rows, inF]);
    const host = f32([outF, inF], 2);
    // `weight`: uploaded with role linear (the engine's preferred layout); `transposed`: a plain [out, in] tensor, i.e. x @ w^T
    const w =
      layout === 'transposed' ? b.weight(host, { role: 'plain' }) : b.weight(host, { role: 'linear', storage: layout === 'weight' ? 'float32' : layout });
    return { op: () => b.linear(x, w), inputs: [x, w] };
  });
}

const CASES: Case[] = [
  linearCase('linear 1x1024x1024, weights [in,out] (role linear)', 1, 1024, 1024, 'weight'),
  linearCase('linear 1x1024x1024, weights [out,in] (x @ w^T)', 1, 1024, 1024, 'transposed'),
  linearCase('linear 128x1024x3072, weights [in,out] (role linear)', 128, 1024, 3072, 'weight'),
  linearCase('linear 128x1024x3072, weights [out,in] (x @ w^T)', 128, 1024, 3072, 'transposed'),
  linearCase('linear 1x1024x1024, int8 host weights', 1, 1024, 1024, 'int8'),
  linearCase('linear 1x1024x1024, bfloat16 host weights', 1, 1024, 1024, 'bfloat16'),
  opCase('add [16,1024] + [16,1024]', (b) => {
    const [x, y] = [b.tensor(random(16 * 1024, 1), [16, 1024]), b.tensor(random(16 * 1024, 2), [16, 1024])];
    return { op: () => b.add(x, y), inputs: [x, y] };
  }),
  opCase('silu [16,4096]', (b) => {
    const x = b.tensor(random(16 * 4096, 1), [16, 4096]);
    return { op: () => b.silu(x), inputs: [x] };
  }),
  opCase('gelu erf [16,4096]', (b) => {
    const x = b.tensor(random(16 * 4096, 1), [16, 4096]);
    return { op: () => b.gelu(x, 'erf'), inputs: [x] };
  }),
  opCase('rmsNorm [16,1024]', (b) => {
    const [x, w] = [b.tensor(random(16 * 1024, 1), [16, 1024]), b.fill([1024], 1)];
    return { op: () => b.rmsNorm(x, w, 1e-6), inputs: [x, w] };
  }),
  opCase('layerNorm [16,1024]', (b) => {
    const [x, w, c] = [b.tensor(random(16 * 1024, 1), [16, 1024]), b.fill([1024], 1), b.fill([1024], 0)];
    return { op: () => b.layerNorm(x, w, c, 1e-6), inputs: [x, w, c] };
  }),
  opCase('softmax [16,32000]', (b) => {
    const x = b.tensor(random(16 * 32000, 1), [16, 32000]);
    return { op: () => b.softmax(x), inputs: [x] };
  }),
  opCase('topk 50 of [1,151936]', (b) => {
    const x = b.tensor(random(151936, 1), [1, 151936]);
    return { op: () => b.topk(x, 50).indices, inputs: [x] };
  }),
  opCase('gather 16 rows of [32000,1024]', (b) => {
    const [t, ids] = [
      b.weight(f32([32000, 1024], 1), { role: 'embedding' }),
      b.tensor(
        Int32Array.from({ length: 16 }, (_, i) => i * 997),
        [16],
      ),
    ];
    return { op: () => b.gather(t, ids), inputs: [t, ids] };
  }),
  opCase('rope half [1,128,16,128]', (b) => {
    const [x, c] = [b.tensor(random(128 * 16 * 128, 1), [1, 128, 16, 128]), b.tensor(random(128 * 64, 2), [1, 128, 64])];
    return { op: () => b.rope(x, c, c, 'half'), inputs: [x, c] };
  }),
  opCase('attention prefill q[1,16,128,128] kv[1,4,128,128]', (b) => {
    const [q, k] = [b.tensor(random(16 * 128 * 128, 1), [1, 16, 128, 128]), b.tensor(random(4 * 128 * 128, 2), [1, 4, 128, 128])];
    return { op: () => b.attention(q, k, k, { scale: 128 ** -0.5 }), inputs: [q, k] };
  }),
  opCase('attention decode q[1,16,1,128] kv[1,4,1024,128]', (b) => {
    const [q, k] = [b.tensor(random(16 * 128, 1), [1, 16, 1, 128]), b.tensor(random(4 * 1024 * 128, 2), [1, 4, 1024, 128])];
    return { op: () => b.attention(q, k, k, { scale: 128 ** -0.5 }), inputs: [q, k] };
  }),
];

/** wasm only: the batched kernel vs 2-D products (as `matmulCore` splits them), by row count (for WASM_SPLIT_MIN_ROWS). */
async function splitTable(): Promise<string[]> {
  const engine = await selectEngine('wasm');
  const tf = engine.tf;
  const lines = [
    `wasm: 8 batches of [m,128] x [128,256]; the backend splits from m = ${WASM_SPLIT_MIN_ROWS}`,
    '',
    '| rows m | batched kernel (ms) | split into 2-D products (ms) |',
    '| ---: | ---: | ---: |',
  ];
  for (const m of [1, 4, 8, 16, 32, 64]) {
    const a = tf.tensor(random(8 * m * 128, 1), [8, m, 128]);
    const b = tf.tensor(random(8 * 128 * 256, 2), [8, 128, 256]);
    const batched = await time(() => tf.tidy(() => tf.matMul(a, b)).data());
    const split = await time(() =>
      tf
        .tidy(() => {
          const bs = tf.unstack(b);
          return tf.stack(tf.unstack(a).map((ai, i) => tf.matMul(ai, bs[i])));
        })
        .data(),
    );
    lines.push(`| ${m} | ${batched.toFixed(2)} | ${split.toFixed(2)} |`);
    a.dispose();
    b.dispose();
  }
  return lines;
}

async function main(): Promise<void> {
  const columns: string[] = [];
  const results: number[][] = CASES.map(() => []);
  const skipped: string[] = [];
  for (const device of devices) {
    let backend: Backend;
    try {
      backend = await createTfjsBackend({ device });
    } catch (error) {
      if (!EngineUnavailableError.isInstance(error)) throw error;
      skipped.push(`${device}: ${error.reason}`);
      continue;
    }
    columns.push(backend.engine);
    for (const [i, c] of CASES.entries()) results[i].push(await c.run(backend));
    backend.dispose();
  }
  const out: string[] = [];
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  out.push(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${load}`);
  out.push(`median of ${RUNS} runs (3 when a run takes > 1 s), ms, result read back included`);
  out.push('', `| op | ${columns.join(' | ')} |`, `| --- |${columns.map(() => ' ---: |').join('')}`);
  CASES.forEach((c, i) => out.push(`| ${c.name} | ${results[i].map((ms) => ms.toFixed(2)).join(' | ')} |`));
  if (columns.includes('tfjs-wasm')) out.push('', ...(await splitTable()));
  if (skipped.length) out.push('', 'Not measured:', ...skipped.map((s) => `- ${s}`));
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
