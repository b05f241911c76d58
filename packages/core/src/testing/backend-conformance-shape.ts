import type { ConformanceRegistry } from './backend-conformance-context.js';
import { at, build, nd, randomNd, transposeNd } from './backend-conformance-oracle.js';

/** `reshape`, `transpose`, `concat`, `slice`, `gather`, `cast`. */
export function registerShapeTests(reg: ConformanceRegistry): void {
  reg.test('shape/reshape', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7]);
    const t = upload(x);
    await expectValues(track(backend.reshape(t, [7, -1])), { shape: [7, 15], data: x.data }, { exact: true });
    await expectValues(track(backend.reshape(t, [105])), { shape: [105], data: x.data }, { exact: true });
    await expectValues(track(backend.reshape(t, [1, 3, 1, 35])), { shape: [1, 3, 1, 35], data: x.data }, { exact: true });
    // Reshape of a transposed (non-contiguous) result follows the logical row-major order.
    const tr = track(backend.transpose(t, [2, 0, 1]));
    await expectValues(track(backend.reshape(tr, [-1, 5])), { shape: [21, 5], data: transposeNd(x, [2, 0, 1]).data }, { exact: true });
  });

  reg.test('shape/transpose', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7]);
    const t = upload(x);
    for (const perm of [
      [0, 1, 2],
      [2, 0, 1],
      [1, 0, 2],
      [0, 2, 1],
      [2, 1, 0],
    ]) {
      await expectValues(track(backend.transpose(t, perm)), transposeNd(x, perm), { exact: true, label: `perm ${perm}` });
    }
    const y = randomNd(rng, [2, 3, 1, 4]);
    await expectValues(track(backend.transpose(upload(y), [0, 2, 1, 3])), transposeNd(y, [0, 2, 1, 3]), { exact: true });
    const ints = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    await expectValues(track(backend.transpose(upload(ints, 'int32'), [1, 0])), transposeNd(ints, [1, 0]), { exact: true, dtype: 'int32' });
  });

  reg.test('shape/concat', async ({ backend, track, rng, upload, expectValues }) => {
    const parts = [randomNd(rng, [3, 2, 7]), randomNd(rng, [3, 5, 7]), randomNd(rng, [3, 1, 7])];
    const ts = parts.map((p) => upload(p));
    const offsets = [0, 2, 7];
    const expected = build([3, 8, 7], ([i, j, k]) => {
      const part = j < 2 ? 0 : j < 7 ? 1 : 2;
      return at(parts[part], [i, j - offsets[part], k]);
    });
    await expectValues(track(backend.concat(ts, 1)), expected, { exact: true });
    await expectValues(track(backend.concat(ts, -2)), expected, { exact: true });
    const a = randomNd(rng, [2, 3]);
    const b = randomNd(rng, [1, 3]);
    const rows = build([3, 3], ([i, j]) => (i < 2 ? at(a, [i, j]) : at(b, [0, j])));
    await expectValues(track(backend.concat([upload(a), upload(b)], 0)), rows, { exact: true });
    const c = randomNd(rng, [2, 4]);
    const cols = build([2, 7], ([i, j]) => (j < 3 ? at(a, [i, j]) : at(c, [i, j - 3])));
    await expectValues(track(backend.concat([upload(a), upload(c)], -1)), cols, { exact: true });
    const ints = track(backend.concat([upload(nd([1, 2], [2]), 'int32'), upload(nd([3], [1]), 'int32')], 0));
    await expectValues(ints, nd([1, 2, 3], [3]), { exact: true, dtype: 'int32' });
    // copies of one tensor (a key shared by every attention head), along an inner and the outer axis
    const shared = randomNd(rng, [2, 1, 3, 4]);
    const s = upload(shared);
    const heads = build([2, 5, 3, 4], ([i, , k, l]) => at(shared, [i, 0, k, l]));
    await expectValues(track(backend.concat([s, s, s, s, s], 1)), heads, { exact: true, label: 'five copies along axis 1' });
    const twice = build([2, 1, 3, 8], ([i, j, k, l]) => at(shared, [i, j, k, l % 4]));
    await expectValues(track(backend.concat([s, s], -1)), twice, { exact: true, label: 'two copies along the last axis' });
    const sharedInts = upload(nd([4, 5, 6], [1, 3]), 'int32');
    await expectValues(track(backend.concat([sharedInts, sharedInts, sharedInts], 0)), nd([4, 5, 6, 4, 5, 6, 4, 5, 6], [3, 3]), {
      exact: true,
      dtype: 'int32',
      label: 'int32 copies',
    });
  });

  reg.test('shape/slice', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7]);
    const t = upload(x);
    const s = track(backend.slice(t, [1, 0, 2], [2, -1, 3]));
    await expectValues(
      s,
      build([2, 5, 3], ([i, j, k]) => at(x, [i + 1, j, k + 2])),
      { exact: true },
    );
    const last = track(backend.slice(t, [2, 4, 6], [1, 1, 1]));
    await expectValues(last, nd([at(x, [2, 4, 6])], [1, 1, 1]), { exact: true });
    // Slice of a transposed result.
    const tr = track(backend.transpose(t, [2, 1, 0])); // [7, 5, 3]
    const st = track(backend.slice(tr, [3, 1, 0], [-1, 2, 2]));
    await expectValues(
      st,
      build([4, 2, 2], ([i, j, k]) => at(x, [k, j + 1, i + 3])),
      { exact: true },
    );
  });

  reg.test('shape/gather', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [4, 5, 3]);
    const t = upload(x);
    const idx = nd([3, 0, 3, 1, 2, 2], [2, 3]);
    const ids = upload(idx, 'int32');
    const g0 = track(backend.gather(t, ids, 0));
    await expectValues(
      g0,
      build([2, 3, 5, 3], ([a, b, j, k]) => at(x, [at(idx, [a, b]), j, k])),
      { exact: true },
    );
    const g0default = track(backend.gather(t, ids));
    await expectValues(
      g0default,
      build([2, 3, 5, 3], ([a, b, j, k]) => at(x, [at(idx, [a, b]), j, k])),
      { exact: true },
    );
    const ids1 = upload(nd([4, 0, 2], [3]), 'int32');
    await expectValues(
      track(backend.gather(t, ids1, 1)),
      build([4, 3, 3], ([i, a, k]) => at(x, [i, [4, 0, 2][a], k])),
      { exact: true },
    );
    const ids2 = upload(nd([2, 2, 0, 1], [2, 2]), 'int32');
    await expectValues(
      track(backend.gather(t, ids2, -1)),
      build([4, 5, 2, 2], ([i, j, a, b]) => at(x, [i, j, [2, 2, 0, 1][a * 2 + b]])),
      {
        exact: true,
      },
    );
    const table = nd([10, 11, 12, 20, 21, 22], [2, 3]);
    const gi = track(backend.gather(upload(table, 'int32'), upload(nd([1, 1, 0], [3]), 'int32'), 0));
    await expectValues(gi, nd([20, 21, 22, 20, 21, 22, 10, 11, 12], [3, 3]), { exact: true, dtype: 'int32' });
  });

  reg.test('shape/gather-embedding-weight', async ({ backend, track, rng, upload, expectValues }) => {
    const table = randomNd(rng, [6, 4]);
    const w = track(backend.weight({ dtype: 'F32', shape: [6, 4], bytes: new Uint8Array(Float32Array.from(table.data).buffer) }, { role: 'embedding' }));
    const ids = nd([5, 0, 0, 3], [1, 4]);
    await expectValues(
      track(backend.gather(w, upload(ids, 'int32'), 0)),
      build([1, 4, 4], ([, s, d]) => at(table, [at(ids, [0, s]), d])),
      {
        exact: true,
      },
    );
  });

  reg.test('shape/argmax-indices-feed-gather', async ({ backend, track, upload, expectValues }) => {
    const scores = nd([0.1, 0.9, 0.3, 0.7, 0.2, 0.05], [2, 3]);
    const best = track(backend.argMax(upload(scores), -1)); // [2] int32: [1, 0]
    const table = nd([1, 2, 3, 4, 5, 6], [3, 2]);
    await expectValues(track(backend.gather(upload(table), best, 0)), nd([3, 4, 1, 2], [2, 2]), { exact: true });
  });

  reg.test('shape/cast', async ({ backend, track, upload, expectValues }) => {
    const f = upload(nd([2.7, -2.7, 0.5, -0.5, 3, -1e-3], [2, 3]));
    await expectValues(track(backend.cast(f, 'int32')), nd([2, -2, 0, 0, 3, 0], [2, 3]), { exact: true, dtype: 'int32' });
    const i = upload(nd([-3, 0, 7], [3]), 'int32');
    await expectValues(track(backend.cast(i, 'float32')), nd([-3, 0, 7], [3]), { exact: true, dtype: 'float32' });
  });

  reg.test('errors/gather-out-of-range', async ({ backend, track, rng, upload, expectValues, expectBackendError }) => {
    // Indices from host data (token ids) out of range are a BackendError at the call, never a process abort or garbage
    // rows: a backend that cannot check on the device checks them on the host before computing.
    const x = randomNd(rng, [4, 3]);
    const t = upload(x);
    expectBackendError('gather', () => backend.gather(t, upload(nd([0, 4], [2]), 'int32'), 0));
    expectBackendError('gather', () => backend.gather(t, upload(nd([-1], [1]), 'int32'), 0));
    expectBackendError('gather', () => backend.gather(t, upload(nd([1, 3], [1, 2]), 'int32'), 1));
    const reshaped = track(backend.reshape(upload(nd([2, 1_000_000], [2]), 'int32'), [1, 2]));
    expectBackendError('gather', () => backend.gather(t, reshaped, 0));
    const w = track(
      backend.weight({ dtype: 'F32', shape: [6, 4], bytes: new Uint8Array(Float32Array.from(randomNd(rng, [6, 4]).data).buffer) }, { role: 'embedding' }),
    );
    expectBackendError('gather', () => backend.gather(w, upload(nd([0, 6], [1, 2]), 'int32'), 0));
    // the backend goes on working
    await expectValues(
      track(backend.gather(t, upload(nd([3, 0], [2]), 'int32'), 0)),
      build([2, 3], ([a, j]) => at(x, [[3, 0][a], j])),
      { exact: true },
    );
  });

  reg.test('errors/shape-ops', ({ backend, track, expectBackendError }) => {
    const x = track(backend.fill([3, 5, 7], 1));
    const y = track(backend.fill([3, 4, 6], 1));
    expectBackendError('reshape', () => backend.reshape(x, [4, -1]));
    expectBackendError('concat', () => backend.concat([x, y], 1));
    expectBackendError('slice', () => backend.slice(x, [0, 3, 0], [1, 3, 1]));
    expectBackendError('transpose', () => backend.transpose(x, [0, 1]));
  });
}
