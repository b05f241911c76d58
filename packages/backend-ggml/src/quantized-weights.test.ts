import type { Backend, WeightStorage } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';
import { seededValues as values } from './__fixtures__/seeded-values.js';

const host = (v: Float32Array, shape: number[]) => ({ dtype: 'F32' as const, shape, bytes: new Uint8Array(v.buffer) });

describe('ggml weight storage', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createGgmlBackend({ device: 'cpu', threads: 1 });
  });
  afterAll(() => backend?.dispose());

  const [outDim, inDim, rows] = [48, 96, 5];
  const w = values(outDim * inDim, 7);
  const x = values(rows * inDim, 11);
  // x @ w^T in float64
  const exact = Float64Array.from({ length: rows * outDim }, (_, i) => {
    const [r, o] = [Math.floor(i / outDim), i % outDim];
    let acc = 0;
    for (let k = 0; k < inDim; k++) acc += x[r * inDim + k] * w[o * inDim + k];
    return acc;
  });
  const rms = Math.sqrt(exact.reduce((s, v) => s + v * v, 0) / exact.length);

  // Relative RMS error bounds: storage rounding (f16: 2^-11 relative; q8_0: half a step of max/127; q4_0: of max/8),
  // plus the activations, which ggml rounds to the weight's dot-product type (f16 or q8_0). bfloat16 is stored as
  // bf16 (weights rounded to 8 significant bits) and widened to float32 for the product; q4_k falls back to q4_0
  // on these rows of 96 (Q4_K itself: weights/q4k-weights.test.ts).
  const cases: Array<[WeightStorage, WeightStorage, number, number]> = [
    ['float32', 'float32', 4, 1e-6],
    ['float16', 'float16', 2, 2e-3],
    ['q8_0', 'q8_0', 34 / 32, 1e-2],
    ['int8', 'q8_0', 34 / 32, 1e-2],
    ['q4_0', 'q4_0', 18 / 32, 0.12],
    ['bfloat16', 'bfloat16', 2, 3e-3],
    ['q4_k', 'q4_0', 18 / 32, 0.12],
  ];
  for (const [requested, stored, bytesPerValue, bound] of cases) {
    it(`linear with ${requested} storage (${stored}) stays within ${bound} relative RMS error`, async () => {
      const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage: requested });
      expect(weight.storage).toBe(stored);
      expect(weight.byteSize).toBe(outDim * inDim * bytesPerValue);
      const xt = backend.tensor(x, [rows, inDim]);
      const y = backend.linear(xt, weight);
      const got = await y.data();
      let err = 0;
      for (let i = 0; i < got.length; i++) err += (got[i] - exact[i]) ** 2;
      expect(Math.sqrt(err / got.length) / rms).toBeLessThan(bound);
      // a transposed layout would be off by about 100%
      expect(Math.sqrt(err / got.length) / rms).toBeLessThan(0.5);
      for (const t of [weight, xt, y]) t.dispose();
    });
  }

  it('plain weights stay float32 whatever storage is asked for', () => {
    const weight = backend.weight(host(values(64, 3), [64]), { storage: 'q8_0' });
    expect(weight.storage).toBe('float32');
    weight.dispose();
  });

  it('rows whose length is not a multiple of 32 fall back from block formats to float16', () => {
    const weight = backend.weight(host(values(4 * 40, 5), [4, 40]), { role: 'linear', storage: 'q4_0' });
    expect(weight.storage).toBe('float16');
    weight.dispose();
  });

  it('gathers rows of a q8_0 embedding within half a quantization step', async () => {
    const table = values(10 * 64, 13);
    const weight = backend.weight(host(table, [10, 64]), { role: 'embedding', storage: 'q8_0' });
    const idx = backend.tensor(new Int32Array([7, 0, 7]), [3]);
    const rowsOut = backend.gather(weight, idx, 0);
    const got = await rowsOut.data();
    [7, 0, 7].forEach((r, i) => {
      for (let block = 0; block < 2; block++) {
        const src = table.subarray(r * 64 + block * 32, r * 64 + block * 32 + 32);
        const step = Math.max(...Array.from(src, Math.abs)) / 127;
        for (let j = 0; j < 32; j++) expect(Math.abs(got[i * 64 + block * 32 + j] - src[j])).toBeLessThanOrEqual(step / 2 + step * 1e-3);
      }
    });
    for (const t of [weight, idx, rowsOut]) t.dispose();
  });
});
