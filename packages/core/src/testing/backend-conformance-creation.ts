import { expect } from 'vitest';
import type { HostDType } from '../backend/host-tensor.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';
import { nd } from './backend-conformance-oracle.js';

function u16Bytes(bits: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(bits.length * 2);
  const view = new DataView(bytes.buffer);
  bits.forEach((b, i) => view.setUint16(i * 2, b, true));
  return bytes;
}

// Bit patterns and the values they encode (worked out by hand from the IEEE / bfloat16 layouts).
const BF16_CASES: Array<[number, number]> = [
  [0x3f80, 1],
  [0xc010, -2.25],
  [0x3dcc, 0.099609375],
  [0x4780, 65536],
  [0x8000, -0],
  [0x7f80, Infinity],
  [0xff80, -Infinity],
  [0x7fc0, NaN],
];
const F16_CASES: Array<[number, number]> = [
  [0x3c00, 1],
  [0xc080, -2.25],
  [0x3555, 0.333251953125],
  [0x7bff, 65504],
  [0x0001, 2 ** -24], // f16 subnormals are normal float32 numbers
  [0x03ff, 1023 * 2 ** -24],
  [0x8000, -0],
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
  [0x7e00, NaN],
];

/** `tensor`, `fill`, `weight`. */
export function registerCreationTests(reg: ConformanceRegistry): void {
  reg.test('creation/tensor-dtypes', async ({ backend, track, expectValues }) => {
    const f = track(backend.tensor(new Float32Array([1.5, -2, 3.25, 0]), [2, 2]));
    const i = track(backend.tensor(new Int32Array([1, -2, 3]), [3]));
    const n = track(backend.tensor([0.5, 1, 2], [3, 1]));
    const ni = track(backend.tensor([4, -5], [2], 'int32'));
    const fi = track(backend.tensor(new Float32Array([7, 8]), [1, 2], 'int32'));
    await expectValues(f, nd([1.5, -2, 3.25, 0], [2, 2]), { exact: true, dtype: 'float32' });
    await expectValues(i, nd([1, -2, 3], [3]), { exact: true, dtype: 'int32' });
    await expectValues(n, nd([0.5, 1, 2], [3, 1]), { exact: true, dtype: 'float32' });
    await expectValues(ni, nd([4, -5], [2]), { exact: true, dtype: 'int32' });
    await expectValues(fi, nd([7, 8], [1, 2]), { exact: true, dtype: 'int32' });
    expect(await i.data()).toBeInstanceOf(Int32Array);
    expect(await f.data()).toBeInstanceOf(Float32Array);
  });

  reg.test('creation/scalar-and-size-one-dims', async ({ backend, track, expectValues }) => {
    const s = track(backend.tensor([3.5], []));
    await expectValues(s, nd([3.5], []), { exact: true });
    const t = track(backend.tensor([1, 2, 3], [1, 3, 1]));
    await expectValues(t, nd([1, 2, 3], [1, 3, 1]), { exact: true });
  });

  reg.test('creation/fill', async ({ backend, track, expectValues }) => {
    await expectValues(track(backend.fill([2, 3], -1.25)), nd(new Array(6).fill(-1.25), [2, 3]), { exact: true, dtype: 'float32' });
    await expectValues(track(backend.fill([4], 7, 'int32')), nd([7, 7, 7, 7], [4]), { exact: true, dtype: 'int32' });
  });

  reg.test('creation/weight-f32', async ({ backend, track, rng, expectValues }) => {
    const values = Float32Array.from({ length: 15 }, () => rng() * 4 - 2);
    const w = track(backend.weight({ dtype: 'F32', shape: [3, 5], bytes: new Uint8Array(values.buffer) }, { role: 'linear' }));
    await expectValues(w, nd(values, [3, 5]), { exact: true, dtype: 'float32' });
    expect(backend.capabilities.weightStorage).toContain(w.storage);
    expect(w.byteSize).toBeGreaterThan(0);
  });

  const decodeCases: Array<[HostDType, Array<[number, number]>]> = [
    ['BF16', BF16_CASES],
    ['F16', F16_CASES],
  ];
  for (const [dtype, cases] of decodeCases) {
    reg.test(`creation/weight-${dtype.toLowerCase()}`, async ({ backend, track, expectValues }) => {
      const host = { dtype, shape: [cases.length], bytes: u16Bytes(cases.map((c) => c[0])) };
      const w = track(backend.weight(host, { name: `test.${dtype}` }));
      await expectValues(
        w,
        nd(
          cases.map((c) => c[1]),
          [cases.length],
        ),
        { exact: true, dtype: 'float32' },
      );
    });
  }

  reg.test('creation/weight-bf16-subnormal', async ({ backend, track, expectValues }) => {
    const w = track(backend.weight({ dtype: 'BF16', shape: [2], bytes: u16Bytes([0x0001, 0x807f]) }));
    await expectValues(w, nd([2 ** -133, -(127 * 2 ** -133)], [2]), { exact: true });
  });

  reg.test('creation/weight-storage-fallback', async ({ backend, track, rng }) => {
    // rows of 256 fit every block format (q4_k's super-blocks are 256 values)
    const values = Float32Array.from({ length: 256 * 2 }, () => rng() - 0.5);
    const host = { dtype: 'F32' as const, shape: [2, 256], bytes: new Uint8Array(values.buffer) };
    for (const storage of ['float32', 'float16', 'bfloat16', 'int8', 'int4', 'q8_0', 'q4_0', 'q4_k'] as const) {
      const w = track(backend.weight(host, { role: 'linear', storage }));
      expect(backend.capabilities.weightStorage, storage).toContain(w.storage);
      if (backend.capabilities.weightStorage.includes(storage)) expect(w.storage).toBe(storage);
      expect([...w.shape]).toEqual([2, 256]);
      expect(w.dtype).toBe('float32');
    }
  });

  reg.test('errors/tensor-size-mismatch', ({ backend, expectBackendError }) => {
    expectBackendError('tensor', () => backend.tensor([1, 2, 3], [2, 2]));
  });
}
