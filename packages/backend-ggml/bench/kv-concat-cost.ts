// Cost of growing a Qwen3-0.6B-shaped KV cache with `concat` (core's KVCache) on the ggml backend: 28 layers x (k, v)
// `[1, 8, L, 128]`, one position appended per step. `node --conditions=@pio/source --import ./bench/register-ts.mjs
// bench/kv-concat-cost.ts`; env PIO_BENCH_THREADS (default 2).
import { createGgmlBackend } from '../src/index.js';

const backend = await createGgmlBackend({ device: 'cpu', threads: Number(process.env.PIO_BENCH_THREADS ?? 2) });
const [layers, kvHeads, headDim, start, steps] = [28, 8, 128, 128, 64];
let caches = Array.from({ length: 2 * layers }, () => backend.fill([1, kvHeads, start, headDim], 0.5));
const times: number[] = [];
for (let s = 0; s < steps; s++) {
  const t = performance.now();
  const next = caches.map((c) => {
    const row = backend.fill([1, kvHeads, 1, headDim], s);
    const grown = backend.concat([c, row], 2);
    row.dispose();
    c.dispose();
    return grown;
  });
  // one sync point for the whole step, as in a decode step: reading one tensor computes every live concat
  const probe = backend.slice(next[next.length - 1], [0, 0, 0, 0], [1, 1, 1, 1]);
  await probe.data();
  probe.dispose();
  times.push(performance.now() - t);
  caches = next;
}
const sorted = [...times].sort((a, b) => a - b);
const bytes = 2 * layers * kvHeads * headDim * 4 * (start + steps / 2);
process.stdout.write(`KV concat, 56 tensors, ${start}..${start + steps} positions: median ${sorted[steps >> 1].toFixed(2)} ms/step (copies ~${(bytes / 1e6).toFixed(0)} MB/step)\n`);
backend.dispose();
