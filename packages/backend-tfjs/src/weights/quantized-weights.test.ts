import * as tf from '@tensorflow/tfjs-core';
import type { Backend, HostTensor, Tensor } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend } from '../create-tfjs-backend.js';
import { seededRandom as random } from '../__fixtures__/seeded-random.js';

const f32Host = (values: Float32Array, shape: number[]): HostTensor => ({ dtype: 'F32', shape, bytes: new Uint8Array(values.slice().buffer) });
const halfHost = (dtype: 'BF16' | 'F16', bits: number[], shape: number[]): HostTensor => ({
  dtype,
  shape,
  bytes: new Uint8Array(new Uint16Array(bits).buffer),
});

/** Per-element bound of symmetric quantization: half a step, `maxabs(group) / levels / 2`, for a `[rows, cols]` matrix. */
function halfSteps(w: Float32Array, cols: number, groupSize: number, levels: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let g = 0; g < w.length; g += groupSize) {
    let maxAbs = 0;
    for (let i = g; i < g + groupSize; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i]));
    out.fill(maxAbs / levels / 2 + 1e-7, g, g + groupSize);
  }
  return out;
}

describe.each(['wasm', 'js'] as const)('weight storage on %s', (device) => {
  let backend: Backend;
  const reference = createReferenceBackend();
  beforeAll(async () => {
    backend = await createTfjsBackend({ device });
  });
  afterAll(() => backend.dispose());

  const [out, inF] = [48, 128];
  const rows = 3; // bfloat16 case
  const w = random(out * inF, 1);
  const x = random(20 * inF, 2);

  // 3 rows multiply a decoded [out, in] matrix; 20 rows a decoded [in, out] one on wasm (see WASM_SPLIT_MIN_ROWS)
  for (const [storage, levels, groupSize, rows] of [
    ['int8', 127, 64, 3],
    ['int8', 127, 32, 20],
    ['int4', 7, 64, 20],
    ['int4', 7, 16, 3],
  ] as const) {
    it(`${storage} (group ${groupSize}, ${rows} rows): values within half a step; linear within the propagated bound`, async () => {
      const weight = backend.weight(f32Host(w, [out, inF]), { role: 'linear', storage, groupSize });
      expect(weight.storage).toBe(storage);
      const valueBytes = storage === 'int8' ? out * inF : (out * inF) / 2;
      expect(weight.byteSize).toBe(valueBytes + ((out * inF) / groupSize) * 4);
      const step = halfSteps(w, inF, groupSize, levels);
      const decoded = await weight.data();
      let maxErr = 0;
      let excess = -Infinity; // largest |error| - bound: must stay <= 0
      for (let i = 0; i < w.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(decoded[i] - w[i]));
        excess = Math.max(excess, Math.abs(decoded[i] - w[i]) - step[i]);
      }
      expect(excess).toBeLessThanOrEqual(0);
      expect(maxErr).toBeGreaterThan(0); // it really is quantized
      const before = backend.memory().tensors;
      const xr = x.subarray(0, rows * inF);
      const xt = backend.tensor(xr, [rows, inF]);
      const yt = backend.scope(() => backend.linear(xt, weight));
      const y = await yt.data();
      const yRef = await reference.linear(reference.tensor(xr, [rows, inF]), reference.weight(f32Host(w, [out, inF]))).data();
      let worst = -Infinity;
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < out; o++) {
          let bound = 1e-4; // float32 accumulation
          for (let i = 0; i < inF; i++) bound += Math.abs(x[r * inF + i]) * step[o * inF + i];
          worst = Math.max(worst, Math.abs(y[r * out + o] - yRef[r * out + o]) - bound);
        }
      }
      expect(worst).toBeLessThanOrEqual(0);
      for (const t of [xt, yt, weight]) t.dispose();
      expect(backend.memory().tensors).toBe(before - 1);
    });
  }

  it('bfloat16 from BF16 bytes decodes exactly (bits << 16) and linear matches float32 maths on those values', async () => {
    const bits = Array.from(random(out * inF, 3), (v) => new Uint32Array(new Float32Array([v]).buffer)[0] >>> 16);
    const host = halfHost('BF16', bits, [out, inF]);
    const weight = backend.weight(host, { role: 'linear', storage: 'bfloat16' });
    expect([weight.storage, weight.byteSize]).toEqual(['bfloat16', out * inF * 2]);
    const expected = new Float32Array(new Uint32Array(bits.map((b) => b << 16)).buffer);
    expect(await weight.data()).toEqual(expected);
    const xr = x.subarray(0, rows * inF);
    const xt = backend.tensor(xr, [rows, inF]);
    const y = backend.linear(xt, weight);
    const yRef = await reference.linear(reference.tensor(xr, [rows, inF]), reference.weight(host)).data();
    const got = await y.data();
    const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - yRef[i]) - (1e-5 + 1e-5 * Math.abs(yRef[i]))));
    expect(worst).toBeLessThanOrEqual(0);
    for (const t of [xt, y, weight]) t.dispose();
  });

  it('bfloat16 and float16 from F32 round to nearest even; F16 bytes decode exactly', async () => {
    const bf = backend.weight(f32Host(new Float32Array([1, 1.00390625, 1.01171875, -2.5, 0.1]), [5]), { storage: 'bfloat16' });
    expect([...(await bf.data())]).toEqual([1, 1, 1.015625, -2.5, 0.10009765625]);
    const half = backend.weight(f32Host(new Float32Array([1 / 3, 65504, 1e-8, -0.5]), [4]), { storage: 'float16' });
    expect([...(await half.data())]).toEqual([0.333251953125, 65504, 0, -0.5]);
    const f16 = backend.weight(halfHost('F16', [0x3c00, 0xc000, 0x0001, 0x7bff, 0x3555], [5]), { storage: 'float16' });
    expect([f16.storage, f16.byteSize]).toEqual(['float16', 10]);
    expect([...(await f16.data())]).toEqual([1, -2, 2 ** -24, 65504, 0.333251953125]);
    for (const t of [bf, half, f16]) t.dispose();
  });

  it('gather on compact embeddings decodes only the picked rows (rank 2 and rank 3)', async () => {
    const table = random(10 * 64, 4);
    const emb = backend.weight(f32Host(table, [10, 64]), { role: 'embedding', storage: 'int8' });
    const step = halfSteps(table, 64, 64, 127);
    const ids = backend.tensor([7, 0, 7, 3], [2, 2], 'int32');
    const g = backend.gather(emb, ids, 0);
    expect(g.shape).toEqual([2, 2, 64]);
    const got = await g.data();
    let excess = -Infinity;
    [7, 0, 7, 3].forEach((row, k) => {
      for (let j = 0; j < 64; j++) excess = Math.max(excess, Math.abs(got[k * 64 + j] - table[row * 64 + j]) - step[row * 64 + j]);
    });
    expect(excess).toBeLessThanOrEqual(0);
    const bits = Array.from({ length: 4 * 2 * 8 }, (_, i) => 0x3f80 + i); // BF16 1.0, 1.0078125, ...
    const cube = backend.weight(halfHost('BF16', bits, [4, 2, 8]), { role: 'embedding', storage: 'bfloat16' });
    const picked = await backend.gather(cube, backend.tensor([2], [1], 'int32'), 0).data();
    expect([...picked]).toEqual(bits.slice(32, 48).map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]));
    expect(() => backend.gather(emb, backend.tensor([10], [1], 'int32'), 0)).toThrow(/out of range/);
    for (const t of [emb, ids, g, cube]) t.dispose();
  });

  it('a float32 linear weight also serves as a tied embedding, and an embedding as a linear weight', async () => {
    const table = random(6 * 16, 5);
    const tied = backend.weight(f32Host(table, [6, 16]), { role: 'linear' });
    const rowsPicked = await backend.gather(tied, backend.tensor([5, 1], [2], 'int32'), 0).data();
    expect([...rowsPicked]).toEqual([...table.slice(80, 96), ...table.slice(16, 32)]);
    expect(await tied.data()).toEqual(table);
    const emb = backend.weight(f32Host(table, [6, 16]), { role: 'embedding' });
    const xs = random(2 * 16, 6);
    const viaEmb = await backend.linear(backend.tensor(xs, [2, 16]), emb).data();
    const viaTied = await backend.linear(backend.tensor(xs, [2, 16]), tied).data();
    const yRef = await reference.linear(reference.tensor(xs, [2, 16]), reference.weight(f32Host(table, [6, 16]))).data();
    const worst = Math.max(...Array.from(yRef, (v, i) => Math.max(Math.abs(viaEmb[i] - v), Math.abs(viaTied[i] - v))));
    expect(worst).toBeLessThanOrEqual(1e-5);
    tied.dispose();
    emb.dispose();
  });

  it('falls back when a storage does not fit and reports what it used', () => {
    const host = f32Host(random(8 * 96, 7), [8, 96]);
    const cases: Array<[Parameters<Backend['weight']>[1], string]> = [
      [{ storage: 'int8', groupSize: 64 }, 'float32'], // 64 does not divide 96
      [{ storage: 'int8', groupSize: 32 }, 'int8'],
      [{ storage: 'int4', groupSize: 3 }, 'float32'], // int4 groups must be even
      [{ storage: 'q8_0', groupSize: 32 }, 'int8'],
      [{ storage: 'q4_k', groupSize: 32 }, 'int4'],
    ];
    for (const [options, storage] of cases) {
      const weight = backend.weight(host, { role: 'linear', ...options });
      expect(weight.storage, JSON.stringify(options)).toBe(storage);
      weight.dispose();
    }
    const ids = backend.weight({ dtype: 'I64', shape: [2], bytes: new Uint8Array(new BigInt64Array([5n, -1n]).buffer) }, { storage: 'int8' });
    expect([ids.dtype, ids.storage]).toEqual(['int32', 'float32']);
    ids.dispose();
  });

  it('frees weights made in a scope unless returned or kept; compact-weight ops leak no engine tensors', async () => {
    const engineBefore = tf.memory().numTensors;
    const before = backend.memory().tensors;
    const host = f32Host(random(16 * 32, 8), [16, 32]);
    let dropped!: Tensor;
    let kept!: Tensor;
    const returned = backend.scope(() => {
      dropped = backend.weight(host, { role: 'linear', storage: 'int4', groupSize: 32 });
      kept = backend.keep(backend.weight(host, { role: 'linear' }));
      const y = backend.linear(backend.fill([4, 32], 0.5), dropped); // decodes to a temporary tensor
      backend.gather(dropped, backend.tensor([1], [1], 'int32'));
      backend.sum(y, -1);
      return backend.weight(host, { storage: 'bfloat16' });
    });
    expect(dropped.isDisposed).toBe(true);
    expect(kept.isDisposed || returned.isDisposed).toBe(false);
    expect(backend.memory().tensors).toBe(before + 2);
    kept.dispose();
    returned.dispose();
    expect(backend.memory().tensors).toBe(before);
    expect(tf.memory().numTensors).toBe(engineBefore);
  });
});
