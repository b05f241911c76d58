import type { Nd } from './backend-conformance-oracle.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';
import { at, build, matmulNd, randomNd, transposeNd } from './backend-conformance-oracle.js';

function swapLast(a: Nd): Nd {
  const r = a.shape.length;
  const perm = a.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transposeNd(a, perm);
}

function f32Bytes(a: Nd): Uint8Array {
  return new Uint8Array(Float32Array.from(a.data).buffer);
}

/** `matmul`, `linear`. */
export function registerLinalgTests(reg: ConformanceRegistry): void {
  reg.test('linalg/matmul-2d', async ({ backend, track, rng, upload, expectValues }) => {
    const a = randomNd(rng, [3, 5]);
    const b = randomNd(rng, [5, 7]);
    await expectValues(track(backend.matmul(upload(a), upload(b))), matmulNd(a, b));
    const v = randomNd(rng, [1, 5]);
    await expectValues(track(backend.matmul(upload(v), upload(b))), matmulNd(v, b), { label: 'single row' });
  });

  reg.test('linalg/matmul-batched-broadcast', async ({ backend, track, rng, upload, expectValues }) => {
    const a = randomNd(rng, [2, 1, 3, 4]);
    const b = randomNd(rng, [3, 4, 5]);
    await expectValues(track(backend.matmul(upload(a), upload(b))), matmulNd(a, b));
    const c = randomNd(rng, [4, 6]);
    const d = randomNd(rng, [2, 3, 6, 2]);
    await expectValues(track(backend.matmul(upload(c), upload(d))), matmulNd(c, d), { label: '2d x 4d' });
  });

  reg.test('linalg/matmul-transposes', async ({ backend, track, rng, upload, expectValues }) => {
    const a = randomNd(rng, [2, 3, 4]);
    const b = randomNd(rng, [2, 4, 5]);
    const aT = swapLast(a); // [2, 4, 3]
    const bT = swapLast(b); // [2, 5, 4]
    const expected = matmulNd(a, b);
    await expectValues(track(backend.matmul(upload(aT), upload(b), { transposeA: true })), expected, { label: 'transposeA' });
    await expectValues(track(backend.matmul(upload(a), upload(bT), { transposeB: true })), expected, { label: 'transposeB' });
    await expectValues(track(backend.matmul(upload(aT), upload(bT), { transposeA: true, transposeB: true })), expected, { label: 'both' });
  });

  reg.test('linalg/matmul-non-contiguous', async ({ backend, track, rng, upload, expectValues }) => {
    const a = randomNd(rng, [4, 3, 2]);
    const b = randomNd(rng, [2, 6]);
    const ta = track(backend.transpose(upload(a), [1, 0, 2])); // [3, 4, 2]
    const tb = track(backend.slice(upload(b), [0, 1], [2, 4])); // [2, 4]
    const expected = matmulNd(
      transposeNd(a, [1, 0, 2]),
      build([2, 4], ([i, j]) => at(b, [i, j + 1])),
    );
    await expectValues(track(backend.matmul(ta, tb)), expected);
  });

  reg.test('linalg/linear-weight', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [2, 3, 6]);
    const w = randomNd(rng, [5, 6]);
    const bias = randomNd(rng, [5]);
    const wt = track(backend.weight({ dtype: 'F32', shape: [5, 6], bytes: f32Bytes(w) }, { role: 'linear' }));
    const bt = track(backend.weight({ dtype: 'F32', shape: [5], bytes: f32Bytes(bias) }));
    const expected = matmulNd(x, transposeNd(w, [1, 0]));
    await expectValues(track(backend.linear(upload(x), wt)), expected, { label: 'no bias' });
    const withBias = build(expected.shape, (idx) => at(expected, idx) + bias.data[idx[2]]);
    await expectValues(track(backend.linear(upload(x), wt, bt)), withBias, { label: 'bias' });
    // Same result as matmul with an explicit transpose of a plain tensor.
    const viaMatmul = track(backend.matmul(upload(x), upload(w), { transposeB: true }));
    await expectValues(viaMatmul, expected, { label: 'matmul' });
    const x2 = randomNd(rng, [6]);
    await expectValues(
      track(backend.linear(upload(x2), wt)),
      { shape: [5], data: matmulNd({ shape: [1, 6], data: x2.data }, transposeNd(w, [1, 0])).data },
      { label: 'rank 1' },
    );
  });

  reg.test('linalg/linear-bf16-weight', async ({ backend, track, rng, upload, expectValues }) => {
    // bf16 values (upper halves of float32 bit patterns) are exact in every float storage a backend may pick.
    const wBits = Array.from({ length: 4 * 8 }, () => 0x3e00 + Math.floor(rng() * 0x180) + (rng() < 0.5 ? 0x8000 : 0));
    const bytes = new Uint8Array(wBits.length * 2);
    wBits.forEach((b, i) => new DataView(bytes.buffer).setUint16(i * 2, b, true));
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const w: Nd = { shape: [4, 8], data: Float64Array.from(wBits, (b) => ((u[0] = b << 16), f[0])) };
    const x = randomNd(rng, [3, 8]);
    const wt = track(backend.weight({ dtype: 'BF16', shape: [4, 8], bytes }, { role: 'linear', storage: 'bfloat16' }));
    await expectValues(track(backend.linear(upload(x), wt)), matmulNd(x, transposeNd(w, [1, 0])));
  });

  reg.test('linalg/matmul-stacked-weight', async ({ backend, track, rng, upload, expectValues }) => {
    // A stack of `linear` weights [heads, out, in] multiplies with transposeB (MLA's absorbed per-head products).
    const w = randomNd(rng, [3, 5, 64]);
    const wt = track(backend.weight({ dtype: 'F32', shape: [3, 5, 64], bytes: f32Bytes(w) }, { role: 'linear' }));
    const x = randomNd(rng, [3, 2, 64]);
    await expectValues(track(backend.matmul(upload(x), wt, { transposeB: true })), matmulNd(x, swapLast(w)), { label: 'float32' });
    const x2 = randomNd(rng, [2, 64]);
    await expectValues(track(backend.matmul(upload(x2), wt, { transposeB: true })), matmulNd(x2, swapLast(w)), { label: 'broadcast rows' });
    // Integers in [-127, 127] with 127 in every block of 32 (and group of 64): exact in int8 / Q8_0 storage, whose
    // products also quantize the activations to 8 bits per 32 values (so they are such integers too).
    const ints = (shape: number[]): Nd => {
      const nd = build(shape, () => Math.round((rng() * 2 - 1) * 126));
      for (let i = 0; i < nd.data.length; i += 32) nd.data[i] = 127;
      return nd;
    };
    const q = ints([3, 5, 64]);
    const qt = track(backend.weight({ dtype: 'F32', shape: [3, 5, 64], bytes: f32Bytes(q) }, { role: 'linear', storage: 'int8' }));
    const xi = ints([3, 2, 64]);
    await expectValues(track(backend.matmul(upload(xi), qt, { transposeB: true })), matmulNd(xi, swapLast(q)), { label: `int8 stored as ${qt.storage}` });
  });

  reg.test('errors/linalg-shapes', ({ backend, track, expectBackendError }) => {
    const a = track(backend.fill([3, 4], 1));
    const b = track(backend.fill([5, 6], 1));
    expectBackendError('matmul', () => backend.matmul(a, b));
    expectBackendError('matmul', () => backend.matmul(track(backend.fill([2, 3, 4], 1)), track(backend.fill([3, 4, 2], 1))));
    expectBackendError('linear', () => backend.linear(a, b));
    expectBackendError('linear', () => backend.linear(a, track(backend.fill([6, 4], 1)), track(backend.fill([5], 1))));
  });
}
