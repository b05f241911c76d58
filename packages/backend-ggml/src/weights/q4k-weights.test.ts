import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgmlBackend } from '../create-ggml-backend.js';
import type { GgmlBackend } from '../ggml-backend.js';
import { seededValues as values } from '../__fixtures__/seeded-values.js';

const host = (v: Float32Array, shape: number[]) => ({ dtype: 'F32' as const, shape, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) });

describe('q4_k weights on ggml', () => {
  let backend: GgmlBackend;
  beforeAll(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterAll(() => backend?.dispose());

  const [outDim, inDim, n] = [96, 512, 7]; // K = 2 super-blocks of 256
  const w = values(outDim * inDim, 21);
  const x = values(n * inDim, 23);
  // x @ wᵀ in float64
  const exact = Float64Array.from({ length: n * outDim }, (_, i) => {
    const [r, o] = [Math.floor(i / outDim), i % outDim];
    let acc = 0;
    for (let k = 0; k < inDim; k++) acc += x[r * inDim + k] * w[o * inDim + k];
    return acc;
  });
  const relRms = (got: ArrayLike<number>) => {
    let err = 0;
    let sq = 0;
    for (let i = 0; i < exact.length; i++) (err += (got[i] - exact[i]) ** 2), (sq += exact[i] ** 2);
    return Math.sqrt(err / sq);
  };

  it('stores rows of a multiple of 256 as Q4_K: 144 bytes per 256 values', () => {
    const before = backend.memory().bytes;
    const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage: 'q4_k' });
    expect(weight.storage).toBe('q4_k');
    expect(weight.byteSize).toBe(outDim * (inDim / 256) * 144);
    expect(backend.memory().bytes - before).toBe(outDim * (inDim / 256) * 144);
    weight.dispose();
  });

  it('linear and matmul with a Q4_K weight stay within the measured relative error of float64', async () => {
    const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage: 'q4_k' });
    const xt = backend.tensor(x, [n, inDim]);
    const viaLinear = backend.linear(xt, weight); // ggml's q4_K x q8_K dot products
    const viaMatmul = backend.matmul(xt, weight, { transposeB: true }); // dequantized to float32 first
    const [lin, mm] = [relRms(await viaLinear.data()), relRms(await viaMatmul.data())];
    // measured 0.0512 for both (Q4_K: 4-bit levels with a 6-bit scale and minimum per 32 values; the q8_K
    // activations of the linear path add little); bound ~1.5x
    expect(lin).toBeLessThan(0.075);
    expect(mm).toBeLessThan(0.075);
    for (const t of [weight, xt, viaLinear, viaMatmul]) t.dispose();
  });

  it('q4_k beats q4_0 on the same weight (per-32 scales and minimums vs scales only)', async () => {
    const xt = backend.tensor(x, [n, inDim]);
    const errs: number[] = [];
    for (const storage of ['q4_k', 'q4_0'] as const) {
      const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage });
      const y = backend.linear(xt, weight);
      errs.push(relRms(await y.data()));
      weight.dispose();
      y.dispose();
    }
    // measured 0.0512 vs 0.0629
    expect(errs[0]).toBeLessThan(errs[1]);
    xt.dispose();
  });

  it('gathers rows of a Q4_K embedding within a bounded share of each 32-value sub-block range', async () => {
    const dim = 256;
    const table = values(12 * dim, 29);
    const weight = backend.weight(host(table, [12, dim]), { role: 'embedding', storage: 'q4_k' });
    expect(weight.storage).toBe('q4_k');
    const picks = [11, 0, 5, 11];
    const idx = backend.tensor(new Int32Array(picks), [picks.length]);
    const rows = backend.gather(weight, idx, 0);
    const got = await rows.data();
    let worst = 0; // error / (max - min) of the sub-block, the range 16 levels cover
    picks.forEach((r, i) => {
      for (let sub = 0; sub < dim / 32; sub++) {
        const src = table.subarray(r * dim + sub * 32, r * dim + sub * 32 + 32);
        const range = Math.max(...src) - Math.min(...src);
        for (let j = 0; j < 32; j++) worst = Math.max(worst, Math.abs(got[i * dim + sub * 32 + j] - src[j]) / range);
      }
    });
    // measured 0.0416: above half a level (1/30 of the range) because the scale and minimum are rounded to 6 bits
    expect(worst).toBeLessThan(0.06);
    for (const t of [weight, idx, rows]) t.dispose();
  });

  it('falls back per tensor: rows of 96 to q4_0, rows of 40 to float16, visible in storage and bytes', () => {
    const a = backend.weight(host(values(4 * 96, 3), [4, 96]), { role: 'linear', storage: 'q4_k' });
    const b = backend.weight(host(values(4 * 40, 3), [4, 40]), { role: 'linear', storage: 'q4_k' });
    expect([a.storage, a.byteSize]).toEqual(['q4_0', 4 * 3 * 18]);
    expect([b.storage, b.byteSize]).toEqual(['float16', 4 * 40 * 2]);
    a.dispose();
    b.dispose();
  });

  it('int4 is stored as q4_0', () => {
    const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage: 'int4' });
    expect([weight.storage, weight.byteSize]).toEqual(['q4_0', outDim * (inDim / 32) * 18]);
    weight.dispose();
  });
});
