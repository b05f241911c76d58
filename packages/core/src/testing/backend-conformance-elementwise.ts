import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';
import { expect } from 'vitest';
import { at, broadcastShape, build, erfByQuadrature, mapNd, nd, randomNd, transposeNd, zip } from './backend-conformance-oracle.js';

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'maximum';
const BINARY: Record<BinaryName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => Math.max(a, b),
};

type UnaryName = 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'silu' | 'sigmoid' | 'tanh';
const UNARY: Record<UnaryName, { f: (x: number) => number; lo: number; hi: number }> = {
  neg: { f: (x) => -x, lo: -3, hi: 3 },
  exp: { f: Math.exp, lo: -5, hi: 5 },
  log: { f: Math.log, lo: 0.01, hi: 10 },
  sqrt: { f: Math.sqrt, lo: 0, hi: 10 },
  rsqrt: { f: (x) => 1 / Math.sqrt(x), lo: 0.05, hi: 10 },
  square: { f: (x) => x * x, lo: -3, hi: 3 },
  silu: { f: (x) => x / (1 + Math.exp(-x)), lo: -8, hi: 8 },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), lo: -8, hi: 8 },
  tanh: { f: Math.tanh, lo: -4, hi: 4 },
};

function binary(backend: Backend, name: BinaryName, a: Tensor, b: Tensor | number): Tensor {
  return backend[name](a, b);
}

/** Binary (broadcasting) and unary elementwise ops, `gelu`, `where`. */
export function registerElementwiseTests(reg: ConformanceRegistry): void {
  for (const name of Object.keys(BINARY) as BinaryName[]) {
    const f = BINARY[name];
    reg.test(`elementwise/${name}`, async ({ backend, track, rng, upload, expectValues }) => {
      // Denominators kept away from 0 so `div` is well conditioned.
      const positive = (x: ReturnType<typeof randomNd>) => mapNd(x, (v) => Math.fround(Math.sign(v || 1) * (0.5 + Math.abs(v))));
      const cases: Array<[readonly number[], readonly number[]]> = [
        [
          [3, 5, 7],
          [3, 5, 7],
        ], // same shape
        [
          [3, 1, 7],
          [5, 1],
        ], // both sides broadcast
        [[3, 5, 7], [7]], // trailing vector
        [
          [1, 5, 1],
          [3, 1, 7],
        ],
        [[4], []], // rank-0 tensor
      ];
      for (const [sa, sb] of cases) {
        const a = randomNd(rng, sa, -2, 2);
        const b = positive(randomNd(rng, sb, -2, 2));
        const out = track(binary(backend, name, upload(a), upload(b)));
        await expectValues(out, zip(a, b, f), { label: `${name} ${sa} x ${sb}` });
      }
      const a = randomNd(rng, [2, 3], -2, 2);
      await expectValues(
        track(binary(backend, name, upload(a), 1.5)),
        mapNd(a, (v) => f(v, 1.5)),
        { label: `${name} number` },
      );
    });
  }

  reg.test('elementwise/int32-add-sub-mul', async ({ backend, track, upload, expectValues }) => {
    const a = nd([1, -2, 3, 40], [2, 2]);
    const b = nd([5, 6], [2]);
    await expectValues(
      track(backend.add(upload(a, 'int32'), upload(b, 'int32'))),
      zip(a, b, (x, y) => x + y),
      { exact: true, dtype: 'int32' },
    );
    await expectValues(
      track(backend.sub(upload(a, 'int32'), upload(b, 'int32'))),
      zip(a, b, (x, y) => x - y),
      { exact: true, dtype: 'int32' },
    );
    await expectValues(
      track(backend.mul(upload(a, 'int32'), upload(b, 'int32'))),
      zip(a, b, (x, y) => x * y),
      { exact: true, dtype: 'int32' },
    );
  });

  reg.test('elementwise/non-contiguous-inputs', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7]);
    const y = randomNd(rng, [7, 3, 5]);
    const tx = track(backend.transpose(upload(x), [2, 0, 1])); // [7, 3, 5]
    const sliced = track(backend.slice(upload(y), [0, 1, 0], [-1, 2, -1])); // [7, 2, 5]
    const txs = track(backend.slice(tx, [0, 0, 0], [7, 2, 5]));
    const expected = zip(
      build([7, 2, 5], ([i, j, k]) => at(transposeNd(x, [2, 0, 1]), [i, j, k])),
      build([7, 2, 5], ([i, j, k]) => at(y, [i, j + 1, k])),
      (a, b) => a * b,
    );
    await expectValues(track(backend.mul(txs, sliced)), expected);
  });

  for (const name of Object.keys(UNARY) as UnaryName[]) {
    const { f, lo, hi } = UNARY[name];
    reg.test(`elementwise/${name}`, async ({ backend, track, rng, upload, expectValues }) => {
      const x = randomNd(rng, [3, 5, 7], lo, hi);
      await expectValues(track(backend[name](upload(x))), mapNd(x, f), { dtype: 'float32' });
    });
  }

  reg.test('elementwise/gelu-tanh', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [5, 7], -5, 5);
    const c = Math.sqrt(2 / Math.PI);
    await expectValues(
      track(backend.gelu(upload(x), 'tanh')),
      mapNd(x, (v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)))),
    );
  });

  reg.test('elementwise/gelu-erf', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [5, 7], -5, 5);
    await expectValues(
      track(backend.gelu(upload(x), 'erf')),
      mapNd(x, (v) => 0.5 * v * (1 + erfByQuadrature(v / Math.SQRT2))),
    );
  });

  reg.test('elementwise/where', async ({ backend, track, rng, upload, expectValues }) => {
    const cond = nd([2, 0, -1], [3, 1]); // non-zero is true
    const a = randomNd(rng, [3, 4]);
    const b = randomNd(rng, [1, 4]);
    const expected = build(broadcastShape([3, 4], [1, 4]), ([i, j]) => (at(cond, [i, 0]) !== 0 ? at(a, [i, j]) : at(b, [0, j])));
    await expectValues(track(backend.where(upload(cond, 'int32'), upload(a), upload(b))), expected, { exact: true });
    const c2 = nd([1, 0, 0, 1], [4]);
    const x = randomNd(rng, [2, 1, 4]);
    const y = randomNd(rng, [3, 1]);
    const e2 = build([2, 3, 4], ([i, j, k]) => (at(c2, [k]) !== 0 ? at(x, [i, 0, k]) : at(y, [j, 0])));
    await expectValues(track(backend.where(upload(c2, 'int32'), upload(x), upload(y))), e2, { exact: true });
  });

  // Optional `swiglu`: `silu(gate) * up`, the same values as the backend's own `silu` then `mul`, bit for bit.
  const silu = UNARY.silu.f;
  reg.test('elementwise/swiglu', async ({ backend, track, rng, upload, expectValues }) => {
    if (!backend.swiglu) {
      // optional: models fall back to silu + mul (applySwiglu)
      expect(backend.swiglu).toBeUndefined();
      return;
    }
    for (const shape of [[3, 5, 7], [1, 1, 19], [2, 40], [6]]) {
      const g = randomNd(rng, shape, -8, 8);
      const u = randomNd(rng, shape, -3, 3);
      const [tg, tu] = [upload(g), upload(u)];
      const fused = track(backend.swiglu(tg, tu));
      await expectValues(
        fused,
        zip(g, u, (a, b) => silu(a) * b),
        { dtype: 'float32', label: `swiglu ${shape}` },
      );
      const separate = await track(backend.mul(track(backend.silu(tg)), tu)).data();
      await expectValues(fused, nd(Array.from(separate), shape), { exact: true, label: `swiglu ${shape} against silu then mul` });
    }
  });

  reg.test('elementwise/swiglu-non-contiguous-inputs', async ({ backend, track, rng, upload, expectValues }) => {
    if (!backend.swiglu) {
      expect(backend.swiglu).toBeUndefined();
      return;
    }
    const x = randomNd(rng, [3, 5, 8], -6, 6);
    const y = randomNd(rng, [5, 4, 8], -2, 2);
    const gate = track(backend.transpose(upload(x), [1, 0, 2])); // [5, 3, 8]
    const up = track(backend.slice(upload(y), [0, 1, 0], [5, 3, 8])); // [5, 3, 8], rows 1..3
    const expected = build([5, 3, 8], ([i, j, k]) => silu(at(x, [j, i, k])) * at(y, [i, j + 1, k]));
    await expectValues(track(backend.swiglu(gate, up)), expected);
  });

  reg.test('errors/swiglu-shapes', ({ backend, track, expectBackendError }) => {
    if (!backend.swiglu) {
      expect(backend.swiglu).toBeUndefined();
      return;
    }
    const swiglu = backend.swiglu.bind(backend);
    const a = track(backend.fill([3, 5], 1));
    expectBackendError('swiglu', () => swiglu(a, track(backend.fill([4, 5], 1))));
    expectBackendError('swiglu', () => swiglu(a, track(backend.fill([5], 1)))); // no broadcasting
    expectBackendError('swiglu', () => swiglu(a, track(backend.fill([1, 3, 5], 1))));
  });

  reg.test('errors/elementwise-shapes', ({ backend, track, expectBackendError }) => {
    const a = track(backend.fill([3, 5], 1));
    const b = track(backend.fill([4, 5], 1));
    expectBackendError('add', () => backend.add(a, b));
    expectBackendError('mul', () => backend.mul(a, track(backend.fill([5, 3], 1))));
    expectBackendError('where', () => backend.where(track(backend.fill([3, 5], 1, 'int32')), a, b));
  });
}
