import { readFileSync } from 'node:fs';
import { BackendError, type WeightStorage } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgmlBackend } from '../create-ggml-backend.js';
import type { GgmlBackend } from '../ggml-backend.js';
import { seededValues as values } from '../__fixtures__/seeded-values.js';

const host = (v: Float32Array, shape: number[]) => ({ dtype: 'F32' as const, shape, bytes: new Uint8Array(v.buffer) });

/** True on Linux x86-64 CPUs that report AVX2 (where ggml's CPU_REPACK has Q4_0 and Q4_K layouts). */
function hasAvx2(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  try {
    return /^flags\s*:.*\bavx2\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

describe('ggml repacked weights (CPU extra buffer types)', () => {
  let repacked: GgmlBackend;
  let plain: GgmlBackend;
  beforeAll(async () => {
    repacked = await createGgmlBackend({ device: 'cpu', threads: 2 });
    plain = await createGgmlBackend({ device: 'cpu', threads: 2, repackWeights: false });
  });
  afterAll(() => {
    repacked?.dispose();
    plain?.dispose();
  });

  it('says what it repacks on this CPU, and nothing when turned off', () => {
    expect(plain.weightRepack).toEqual({ enabled: false, bufferTypes: [], storages: [], reason: 'plain weights: repackWeights is false' });
    const info = repacked.weightRepack;
    expect(info.reason.length).toBeGreaterThan(0);
    expect(info.enabled).toBe(info.storages.length > 0);
    if (hasAvx2()) {
      expect(info.bufferTypes).toContain('CPU_REPACK');
      expect(info.storages).toEqual(expect.arrayContaining(['q4_0', 'q4_k']));
      expect(info.reason).toContain('q4_0');
    }
  });

  // [out, in] = [64, 512]: rows of whole Q4_K super-blocks, 64 rows (a multiple of every interleave)
  const [outDim, inDim] = [64, 512];
  const w = values(outDim * inDim, 21);
  const bias = values(outDim, 22);
  for (const rows of [1, 3, 8, 13]) {
    it(`linear (with bias) on ${rows} row(s) matches the plain buffer's product for every repacked storage`, async () => {
      const x = values(2 * rows * inDim, 23 + rows);
      for (const storage of repacked.weightRepack.storages) {
        const results: Float32Array[] = [];
        for (const backend of [repacked, plain]) {
          const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage });
          const b = backend.weight(host(bias, [outDim]));
          expect(weight.storage).toBe(storage);
          // rank-3 activations [2, rows, in]: repacked kernels take them as one [2 * rows, in] matrix
          const xt = backend.tensor(x, [2, rows, inDim]);
          const y = backend.linear(xt, weight, b);
          expect(y.shape).toEqual([2, rows, outDim]);
          results.push((await y.data()) as Float32Array);
          for (const t of [weight, b, xt, y]) t.dispose();
        }
        const [got, want] = results;
        // same quantized weights and activations (Q8_0 blocks); only the float32 summation order differs
        const scale = Math.max(...Array.from(want, Math.abs));
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * scale);
      }
    });
  }

  it('matmul with transposeB reads a repacked weight like linear (batched activations)', async () => {
    for (const storage of repacked.weightRepack.storages) {
      const x = values(2 * 3 * 5 * inDim, 31);
      const results: Float32Array[] = [];
      for (const backend of [repacked, plain]) {
        const weight = backend.weight(host(w, [outDim, inDim]), { role: 'linear', storage });
        const xt = backend.tensor(x, [2, 3, 5, inDim]);
        const y = backend.matmul(xt, weight, { transposeB: true });
        expect(y.shape).toEqual([2, 3, 5, outDim]);
        results.push((await y.data()) as Float32Array);
        for (const t of [weight, xt, y]) t.dispose();
      }
      const scale = Math.max(...Array.from(results[1], Math.abs));
      for (let i = 0; i < results[1].length; i++) expect(Math.abs(results[0][i] - results[1][i])).toBeLessThanOrEqual(1e-5 * scale);
    }
  });

  it('a repacked weight refuses other reads with BackendError; embeddings and plain weights are never repacked', async () => {
    const storage: WeightStorage | undefined = repacked.weightRepack.storages[0];
    const embedding = repacked.weight(host(w, [outDim, inDim]), { role: 'embedding', storage: storage ?? 'q4_0' });
    const idx = repacked.tensor(new Int32Array([3]), [1]);
    const row = repacked.gather(embedding, idx, 0);
    expect((await row.data()).length).toBe(inDim);
    for (const t of [embedding, idx, row]) t.dispose();
    if (storage === undefined) return;
    const weight = repacked.weight(host(w, [outDim, inDim]), { role: 'linear', storage });
    await expect(weight.data()).rejects.toThrow(BackendError);
    await expect(weight.data()).rejects.toThrow(/repacked \(CPU_REPACK\).*repackWeights: false/);
    expect(() => repacked.gather(weight, repacked.tensor(new Int32Array([0]), [1]), 0)).toThrow(BackendError);
    expect(() => repacked.matmul(repacked.tensor(values(inDim * 2, 3), [2, inDim]), weight)).toThrow(BackendError);
    weight.dispose();
  });

  it('an experts stack is repacked for expertMatmul (streamed per expert) and matches the plain buffer; other reads are refused', async () => {
    const [experts, out, inF] = [4, 16, 512];
    const stackValues = values(experts * out * inF, 51);
    const x = values(3 * inF, 52); // [tokens, 1, in]
    const ids = new Int32Array([3, 0, 1, 3, 2, 2]); // [tokens, topK]
    for (const storage of repacked.weightRepack.storages) {
      const results: Float32Array[] = [];
      for (const backend of [repacked, plain]) {
        const writer = backend.beginWeight({ dtype: 'F32', shape: [experts, out, inF] }, { role: 'experts', storage });
        const perExpert = out * inF * 4;
        for (let e = 0; e < experts; e++) await writer.write(new Uint8Array(stackValues.buffer, e * perExpert, perExpert));
        const weight = writer.finish();
        expect(weight.storage).toBe(storage);
        const xt = backend.tensor(x, [3, 1, inF]);
        const idt = backend.tensor(ids, [3, 2], 'int32');
        const y = backend.expertMatmul(xt, weight, idt);
        results.push((await y.data()) as Float32Array);
        if (backend === repacked) {
          expect(() => backend.matmul(backend.tensor(values(inF, 53), [1, inF]), weight, { transposeB: true })).toThrow(/expertMatmul/);
          await expect(backend.writeWeightRows(weight, 0, host(values(out * inF, 54), [out, inF]))).rejects.toThrow(/repackWeights: false/);
        }
        for (const t of [weight, xt, idt, y]) t.dispose();
      }
      const scale = Math.max(...Array.from(results[1], Math.abs));
      for (let i = 0; i < results[1].length; i++) expect(Math.abs(results[0][i] - results[1][i])).toBeLessThanOrEqual(1e-5 * scale);
    }
  });

  it('a streamed repacked weight is set once its last row arrives, in any order of parts', async () => {
    for (const storage of repacked.weightRepack.storages) {
      const results: Float32Array[] = [];
      for (const backend of [repacked, plain]) {
        const writer = backend.beginWeight({ dtype: 'F32', shape: [outDim, inDim] }, { role: 'linear', storage });
        const bytes = new Uint8Array(w.buffer);
        const rowBytes = inDim * 4;
        // parts of 5, 17 and 42 rows, written concurrently (quantized on worker threads)
        await Promise.all([
          writer.write(bytes.subarray(0, 5 * rowBytes)),
          writer.write(bytes.subarray(5 * rowBytes, 22 * rowBytes)),
          writer.write(bytes.subarray(22 * rowBytes)),
        ]);
        const weight = writer.finish();
        const xt = backend.tensor(values(inDim, 41), [1, inDim]);
        const y = backend.linear(xt, weight);
        results.push((await y.data()) as Float32Array);
        for (const t of [weight, xt, y]) t.dispose();
      }
      const scale = Math.max(...Array.from(results[1], Math.abs));
      for (let i = 0; i < results[1].length; i++) expect(Math.abs(results[0][i] - results[1][i])).toBeLessThanOrEqual(1e-5 * scale);
    }
  });
});
