import type { ConformanceRegistry } from './backend-conformance-context.js';
import { mapAxis, nd, randomNd, reduceAxis, softmaxLine, type Nd } from './backend-conformance-oracle.js';

function keepDims(a: Nd, axis: number): Nd {
  const shape = [...a.shape];
  shape.splice(axis, 0, 1);
  return { shape, data: a.data };
}

const SHAPE = [3, 5, 7];
const AXES = [0, 1, 2, -1, -2, -3];
const pos = (axis: number) => (axis < 0 ? axis + SHAPE.length : axis);

/** `sum`, `mean`, `max`, `argMax`, `softmax`, `logSoftmax`, `topk`, `cumsum`. */
export function registerReductionTests(reg: ConformanceRegistry): void {
  const reducers = {
    sum: (v: number[]) => v.reduce((s, x) => s + x, 0),
    mean: (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length,
    max: (v: number[]) => Math.max(...v),
  };
  for (const name of ['sum', 'mean', 'max'] as const) {
    reg.test(`reductions/${name}`, async ({ backend, track, rng, upload, expectValues }) => {
      const x = randomNd(rng, SHAPE);
      const t = upload(x);
      for (const axis of AXES) {
        const expected = reduceAxis(x, pos(axis), reducers[name]);
        await expectValues(track(backend[name](t, axis)), expected, { label: `${name} axis ${axis}` });
        await expectValues(track(backend[name](t, axis, true)), keepDims(expected, pos(axis)), { label: `${name} axis ${axis} keepDims` });
      }
    });
  }

  reg.test('reductions/sum-int32', async ({ backend, track, upload, expectValues }) => {
    await expectValues(track(backend.sum(upload(nd([1, 2, 3, 4, 5, 6], [2, 3]), 'int32'), 1)), nd([6, 15], [2]), { exact: true, dtype: 'int32' });
  });

  reg.test('reductions/argMax', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, SHAPE);
    const t = upload(x);
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    for (const axis of AXES) {
      await expectValues(track(backend.argMax(t, axis)), reduceAxis(x, pos(axis), argmax), { exact: true, dtype: 'int32', label: `axis ${axis}` });
    }
    const ties = nd([1, 3, 3, 0, 2, 2, 2, 1], [2, 4]);
    await expectValues(track(backend.argMax(upload(ties), -1)), nd([1, 0], [2]), { exact: true, dtype: 'int32', label: 'ties' });
  });

  reg.test('reductions/softmax', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, SHAPE, -4, 4);
    const t = upload(x);
    await expectValues(track(backend.softmax(t)), mapAxis(x, 2, softmaxLine), { label: 'default axis' });
    for (const axis of AXES) await expectValues(track(backend.softmax(t, axis)), mapAxis(x, pos(axis), softmaxLine), { label: `axis ${axis}` });
  });

  reg.test('reductions/softmax-stable', async ({ backend, track, upload, expectValues }) => {
    const x = nd([1000, 1001, 1002, -1000, -1001, -1e9], [2, 3]);
    await expectValues(track(backend.softmax(upload(x))), mapAxis(x, 1, softmaxLine));
  });

  reg.test('reductions/logSoftmax', async ({ backend, track, rng, upload, expectValues }) => {
    const logSoftmax = (v: number[]) => {
      const m = Math.max(...v);
      const lse = m + Math.log(v.reduce((s, y) => s + Math.exp(y - m), 0));
      return v.map((y) => y - lse);
    };
    const x = randomNd(rng, SHAPE, -4, 4);
    const t = upload(x);
    await expectValues(track(backend.logSoftmax(t)), mapAxis(x, 2, logSoftmax), { label: 'default axis' });
    for (const axis of [0, -2]) await expectValues(track(backend.logSoftmax(t, axis)), mapAxis(x, pos(axis), logSoftmax), { label: `axis ${axis}` });
    const big = nd([500, 0, -500, 1000], [1, 4]);
    await expectValues(track(backend.logSoftmax(upload(big))), mapAxis(big, 1, logSoftmax), { label: 'large' });
  });

  reg.test('reductions/topk', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7]);
    const t = upload(x);
    for (const k of [1, 3, 7]) {
      const { values, indices } = backend.topk(t, k);
      track(values);
      track(indices);
      const order = mapAxis(x, 2, (v) => v.map((_, j) => j).sort((p, q) => v[q] - v[p] || p - q));
      const idx = { shape: [3, 5, k], data: Float64Array.from({ length: 15 * k }, (_, i) => order.data[Math.floor(i / k) * 7 + (i % k)]) };
      const vals = { shape: [3, 5, k], data: idx.data.map((j, i) => x.data[Math.floor(i / k) * 7 + j]) };
      await expectValues(indices, idx, { exact: true, dtype: 'int32', label: `indices k=${k}` });
      await expectValues(values, vals, { exact: true, label: `values k=${k}` });
    }
  });

  reg.test('reductions/topk-ties', async ({ backend, track, upload, expectValues }) => {
    const x = nd([0.5, 2, 1, 2, 0.5, 2, -1, 1], [2, 4]);
    const { values, indices } = backend.topk(upload(x), 3);
    track(values);
    track(indices);
    await expectValues(indices, nd([1, 3, 2, 1, 3, 0], [2, 3]), { exact: true, dtype: 'int32' });
    await expectValues(values, nd([2, 2, 1, 2, 1, 0.5], [2, 3]), { exact: true });
  });

  reg.test('reductions/cumsum', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, SHAPE);
    const t = upload(x);
    const cumsum = (v: number[]) => {
      let s = 0;
      return v.map((y) => (s += y));
    };
    for (const axis of AXES) await expectValues(track(backend.cumsum(t, axis)), mapAxis(x, pos(axis), cumsum), { label: `axis ${axis}` });
    const ints = nd([1, 0, 1, 1, 0, 1], [2, 3]);
    await expectValues(track(backend.cumsum(upload(ints, 'int32'), 1)), nd([1, 1, 2, 1, 1, 2], [2, 3]), { exact: true, dtype: 'int32' });
  });

  reg.test('errors/reduction-axes', ({ backend, track, expectBackendError }) => {
    const x = track(backend.fill([3, 5], 1));
    expectBackendError('sum', () => backend.sum(x, 2));
    expectBackendError('softmax', () => backend.softmax(x, -3));
    expectBackendError('topk', () => backend.topk(x, 6));
  });
}
