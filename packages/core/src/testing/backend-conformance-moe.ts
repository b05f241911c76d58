import { expect } from 'vitest';
import type { ExpertRoutingOptions } from '../backend/expert-routing.js';
import { routeExpertsOnHost } from '../backend/route-experts-on-host.js';
import type { Tensor } from '../backend/tensor.js';
import type { ConformanceContext, ConformanceRegistry } from './backend-conformance-context.js';
import { build, matmulNd, randomNd, type Nd } from './backend-conformance-oracle.js';

/** `sigmoid(logit(p)) = p`. */
const logit = (p: number) => Math.log(p / (1 - p));

function nd(shape: number[], values: readonly number[]): Nd {
  return { shape, data: Float64Array.from(values) };
}

function f32Bytes(a: Nd): Uint8Array {
  return new Uint8Array(Float32Array.from(a.data).buffer);
}

/** Routes `logits` on the backend and returns the host values. */
async function route(ctx: ConformanceContext, logits: Nd, options: Omit<ExpertRoutingOptions, 'bias'> & { bias?: Nd }) {
  const { backend, track, upload } = ctx;
  const bias = options.bias ? upload(options.bias) : undefined;
  const r = backend.routeExperts(upload(logits), { ...options, bias });
  track(r.experts);
  track(r.weights);
  expect(r.experts.dtype).toBe('int32');
  expect(r.experts.shape).toEqual([logits.shape[0], options.topK]);
  expect(r.weights.shape).toEqual([logits.shape[0], options.topK]);
  return { experts: Array.from(await r.experts.data()), weights: Array.from(await r.weights.data()) };
}

/** `routeExperts`, `expertMatmul`. */
export function registerMoeTests(reg: ConformanceRegistry): void {
  reg.test('moe/route-experts-bias-chooses', async (ctx) => {
    // scores 0.9, 0.2, 0.6, 0.5; the bias lifts expert 1 above expert 2 for the choice only.
    const r = await route(ctx, nd([1, 4], [0.9, 0.2, 0.6, 0.5].map(logit)), {
      topK: 2,
      scoring: 'sigmoid',
      bias: nd([4], [0, 0.5, 0, 0]),
      normalize: true,
      scale: 2,
    });
    expect(r.experts).toEqual([0, 1]);
    expect(r.weights[0]).toBeCloseTo((0.9 / 1.1) * 2, 5);
    expect(r.weights[1]).toBeCloseTo((0.2 / 1.1) * 2, 5);
  });

  reg.test('moe/route-experts-groups', async (ctx) => {
    // 4 groups of 2. Group sums: g0 0.95+0.05=1.0, g1 0.7+0.6=1.3, g2 0.8+0.1=0.9, g3 0.65+0.62=1.27.
    // Best 2 groups: g1, g3 → experts 2,3,6,7. Expert 4 (0.8) beats all of g3 but its group loses.
    const p = [0.95, 0.05, 0.7, 0.6, 0.8, 0.1, 0.65, 0.62];
    const r = await route(ctx, nd([1, 8], p.map(logit)), { topK: 3, scoring: 'sigmoid', groups: { count: 4, keep: 2 } });
    expect(r.experts).toEqual([2, 6, 7]);
    [0.7, 0.65, 0.62].forEach((w, i) => expect(r.weights[i]).toBeCloseTo(w, 5));
  });

  reg.test('moe/route-experts-ties', async (ctx) => {
    // Equal scores: the lower expert index first, at the top and at the cut.
    const equal = await route(ctx, nd([2, 5], [1, 2, 1, 1, 2, 0, 0, 0, 0, 0]), { topK: 3, scoring: 'sigmoid', normalize: true });
    expect(equal.experts).toEqual([1, 4, 0, 0, 1, 2]);
    equal.weights.slice(3).forEach((w) => expect(w).toBeCloseTo(1 / 3, 6));
    // Equal group scores (g0 and g2 hold the same pair): the lower group is kept.
    const pairs = [0.5, -0.2, 0.1, 0.1, -0.2, 0.5, 0, 0.2];
    const one = await route(ctx, nd([1, 8], pairs), { topK: 2, scoring: 'sigmoid', groups: { count: 4, keep: 1 } });
    expect(one.experts).toEqual([0, 1]);
    const two = await route(ctx, nd([1, 8], pairs), { topK: 3, scoring: 'sigmoid', groups: { count: 4, keep: 2 } });
    expect(two.experts).toEqual([0, 5, 1]);
  });

  reg.test('moe/route-experts-softmax', async (ctx) => {
    const logits = [2, 0, 1, -1];
    const exp = logits.map(Math.exp);
    const total = exp.reduce((a, b) => a + b);
    const r = await route(ctx, nd([1, 4], logits), { topK: 2, scoring: 'softmax' });
    expect(r.experts).toEqual([0, 2]);
    expect(r.weights[0]).toBeCloseTo(exp[0] / total, 6);
    expect(r.weights[1]).toBeCloseTo(exp[2] / total, 6);
  });

  reg.test('moe/route-experts-random', async (ctx) => {
    // 6 tokens, 16 experts in 4 groups (keep 2), top-3, bias: the float32 algorithm of routeExpertsOnHost.
    const logits = randomNd(ctx.rng, [6, 16], -3, 3);
    const bias = randomNd(ctx.rng, [16], -0.1, 0.1);
    const options = { topK: 3, scoring: 'sigmoid', groups: { count: 4, keep: 2 }, normalize: true, scale: 2.5 } as const;
    const expected = routeExpertsOnHost(logits.data, 6, 16, bias.data, options);
    const r = await route(ctx, logits, { ...options, bias });
    expect(r.experts).toEqual(Array.from(expected.experts));
    r.weights.forEach((w, i) => expect(Math.abs(w - expected.weights[i])).toBeLessThanOrEqual(1e-5));
  });

  reg.test('moe/route-experts-many-ties', async (ctx) => {
    // 64 experts (GLM-4.7-Flash's count), top-4, 9 tokens whose scores take only a few distinct values (ties at the
    // top, inside and at the cut), one all-equal row, with and without a bias that ties experts again and with groups:
    // exactly the experts of routeExpertsOnHost (larger first, lower index first on ties).
    const levels = [-1, 0, 0.5, 2];
    const rows = Array.from({ length: 8 }, () => Array.from({ length: 64 }, () => levels[Math.floor(ctx.rng() * levels.length)]));
    const logits = nd([9, 64], [...rows.flat(), ...new Array(64).fill(0.25)]);
    const bias = nd(
      [64],
      Array.from({ length: 64 }, (_, i) => (i % 3) * 0.125),
    );
    const cases: (Omit<ExpertRoutingOptions, 'bias'> & { bias?: Nd })[] = [
      { topK: 4, scoring: 'sigmoid' },
      { topK: 4, scoring: 'sigmoid', bias, normalize: true, scale: 1.8 },
      { topK: 6, scoring: 'sigmoid', bias, groups: { count: 8, keep: 3 }, normalize: true },
      { topK: 64, scoring: 'softmax' },
    ];
    for (const { bias: b, ...options } of cases) {
      const expected = routeExpertsOnHost(logits.data, 9, 64, b?.data, options);
      const r = await route(ctx, logits, { ...options, bias: b });
      expect(r.experts).toEqual(Array.from(expected.experts));
      r.weights.forEach((w, i) => expect(Math.abs(w - expected.weights[i])).toBeLessThanOrEqual(1e-5));
    }
  });

  reg.test('moe/expert-matmul', async ({ backend, track, rng, upload, expectValues }) => {
    const w = randomNd(rng, [4, 5, 32]); // [experts, out, in]
    const wt = track(backend.weight({ dtype: 'F32', shape: [4, 5, 32], bytes: f32Bytes(w) }, { role: 'linear' }));
    const ids = [3, 0, 1, 3, 2, 2];
    const expertsNd = nd([3, 2], ids);
    const matrix = (e: number): Nd => build([32, 5], ([k, o]) => w.data[(e * 5 + o) * 32 + k]); // [in, out]
    const expected = (x: Nd, shared: boolean): Nd => {
      const rows: number[] = [];
      for (let t = 0; t < 3; t++) {
        for (let s = 0; s < 2; s++) {
          const base = (t * (shared ? 1 : 2) + (shared ? 0 : s)) * 32;
          rows.push(...matmulNd(nd([1, 32], Array.from(x.data.subarray(base, base + 32))), matrix(ids[t * 2 + s])).data);
        }
      }
      return nd([3, 2, 5], rows);
    };
    const experts = upload(expertsNd, 'int32');
    const shared = randomNd(rng, [3, 1, 32]);
    await expectValues(track(backend.expertMatmul(upload(shared), wt, experts)), expected(shared, true), { label: 'one row per token' });
    const perSlot = randomNd(rng, [3, 2, 32]);
    await expectValues(track(backend.expertMatmul(upload(perSlot), wt, experts)), expected(perSlot, false), { label: 'one row per slot' });
  });

  reg.test('moe/expert-matmul-compact', async ({ backend, track, rng, upload, expectValues }) => {
    // Integers in [-127, 127] with 127 in every block of 32 (and group of 64): exact in int8 / Q8_0 storage, whose
    // products also quantize the activations to 8 bits per 32 values.
    const ints = (shape: number[]): Nd => {
      const v = build(shape, () => Math.round((rng() * 2 - 1) * 126));
      for (let i = 0; i < v.data.length; i += 32) v.data[i] = 127;
      return v;
    };
    const w = ints([3, 4, 64]);
    const wt = track(backend.weight({ dtype: 'F32', shape: [3, 4, 64], bytes: f32Bytes(w) }, { role: 'linear', storage: 'int8' }));
    const x = ints([2, 1, 64]);
    const ids = [2, 0];
    const rows = ids.flatMap((e, t) =>
      Array.from({ length: 4 }, (_, o) => {
        let acc = 0;
        for (let k = 0; k < 64; k++) acc += x.data[t * 64 + k] * w.data[(e * 4 + o) * 64 + k];
        return acc;
      }),
    );
    const y: Tensor = track(backend.expertMatmul(upload(x), wt, upload(nd([2, 1], ids), 'int32')));
    await expectValues(y, nd([2, 1, 4], rows), { label: `int8 stored as ${wt.storage}` });
  });

  reg.test('moe/expert-matmul-experts-role', async ({ backend, track, rng, upload, expectValues }) => {
    // A stack uploaded with the `experts` role (which a backend may hold in a layout only expertMatmul reads) gives
    // the exact products, streamed per expert or uploaded whole. Integers with the block extreme in every block of 32
    // are exact in each storage: [-126, 127] in int8 / Q8_0, [-8, 7] with -8 in every block in Q4_0; the activations
    // (quantized to 8 bits per 32 values by compact products) have 127 in every block.
    const ints = (shape: number[], lo: number, hi: number, lead: number): Nd => {
      const v = build(shape, () => lo + Math.floor(rng() * (hi - lo + 1)));
      for (let i = 0; i < v.data.length; i += 32) v.data[i] = lead;
      return v;
    };
    const shape = [4, 16, 64]; // [experts, out, in]: 16 rows (a multiple of repacked interleaves)
    const x = ints([3, 1, 64], -126, 126, 127);
    const ids = [3, 0, 1, 3, 2, 2];
    const storages = (['float32', 'int8', 'q4_0'] as const).filter((s) => backend.capabilities.weightStorage.includes(s));
    for (const storage of storages) {
      const w = storage === 'q4_0' ? ints(shape, -8, 7, -8) : ints(shape, -126, 126, 127);
      const rows: number[] = [];
      for (let t = 0; t < 3; t++) {
        for (let s = 0; s < 2; s++) {
          for (let o = 0; o < 16; o++) {
            let acc = 0;
            for (let k = 0; k < 64; k++) acc += x.data[t * 64 + k] * w.data[(ids[t * 2 + s] * 16 + o) * 64 + k];
            rows.push(acc);
          }
        }
      }
      const whole = track(backend.weight({ dtype: 'F32', shape, bytes: f32Bytes(w) }, { role: 'experts', storage }));
      const stacks = [whole];
      if (backend.beginWeight) {
        const writer = backend.beginWeight({ dtype: 'F32', shape }, { role: 'experts', storage });
        const perExpert = 16 * 64 * 4;
        const bytes = f32Bytes(w);
        for (let e = 0; e < 4; e++) await writer.write(bytes.subarray(e * perExpert, (e + 1) * perExpert));
        stacks.push(track(writer.finish()));
      }
      for (const [i, wt] of stacks.entries()) {
        const y = track(backend.expertMatmul(upload(x), wt, upload(nd([3, 2], ids), 'int32')));
        await expectValues(y, nd([3, 2, 16], rows), { label: `${storage} stored as ${wt.storage}, ${i === 0 ? 'whole' : 'streamed'}` });
      }
    }
  });

  reg.test('moe/write-weight-rows', async ({ backend, track, rng, upload, expectValues }) => {
    if (!backend.writeWeightRows) {
      // optional: without it a bounded expert cache runs each resident expert on its own rows
      expect(backend.writeWeightRows).toBeUndefined();
      return;
    }
    // Integers with 127 in every block of 32 (exact in int8 / Q8_0) in a stacked [3, 4, 64] weight; slot 1 is
    // rewritten with another expert's rows (BF16 bytes of small integers are exact), then read by expertMatmul.
    const ints = (shape: number[]): Nd => {
      const v = build(shape, () => Math.round((rng() * 2 - 1) * 126));
      for (let i = 0; i < v.data.length; i += 32) v.data[i] = 127;
      return v;
    };
    const w = ints([3, 4, 64]);
    const replacement = ints([4, 64]);
    const bf16 = new Uint8Array(replacement.data.length * 2);
    const bits = new Uint32Array(Float32Array.from(replacement.data).buffer);
    const halves = new Uint16Array(bf16.buffer);
    for (let i = 0; i < bits.length; i++) halves[i] = bits[i] >>> 16;
    for (const storage of ['float32', 'int8'] as const) {
      const wt = track(backend.weight({ dtype: 'F32', shape: [3, 4, 64], bytes: f32Bytes(w) }, { role: 'linear', storage }));
      const x = ints([3, 1, 64]);
      const ids = upload(nd([3, 1], [0, 1, 2]), 'int32');
      const products = (replaced: boolean): Nd => {
        const matrix = (e: number) => (e === 1 && replaced ? replacement.data : w.data.subarray(e * 256, (e + 1) * 256));
        const rows: number[] = [];
        for (let t = 0; t < 3; t++) {
          for (let o = 0; o < 4; o++) {
            let acc = 0;
            for (let k = 0; k < 64; k++) acc += x.data[t * 64 + k] * matrix(t)[o * 64 + k];
            rows.push(acc);
          }
        }
        return nd([3, 1, 4], rows);
      };
      const before = track(backend.expertMatmul(upload(x), wt, ids));
      const beforeValues = before.data(); // asked for before the write: sees the old rows
      const write = backend.writeWeightRows(wt, 4, { dtype: 'BF16', shape: [4, 64], bytes: bf16 });
      await write;
      const oldRows = products(false);
      expect(Array.from(await beforeValues)).toEqual(Array.from(oldRows.data));
      const after = track(backend.expertMatmul(upload(x), wt, ids));
      await expectValues(after, products(true), { label: `slot 1 rewritten, ${storage} stored as ${wt.storage}` });
      await expect(backend.writeWeightRows(wt, 9, { dtype: 'BF16', shape: [4, 64], bytes: bf16 })).rejects.toThrow(/outside the weight/);
      await expect(backend.writeWeightRows(wt, 0, { dtype: 'BF16', shape: [4, 32], bytes: bf16.subarray(0, 256) })).rejects.toThrow(/do not fit/);
    }
  });

  reg.test('errors/moe-shapes', ({ backend, track, expectBackendError }) => {
    const logits = track(backend.fill([2, 8], 0));
    expectBackendError('routeExperts', () => backend.routeExperts(logits, { topK: 9, scoring: 'sigmoid' }));
    expectBackendError('routeExperts', () => backend.routeExperts(logits, { topK: 2, scoring: 'sigmoid', groups: { count: 3, keep: 1 } }));
    expectBackendError('routeExperts', () => backend.routeExperts(logits, { topK: 5, scoring: 'sigmoid', groups: { count: 4, keep: 2 } }));
    expectBackendError('routeExperts', () => backend.routeExperts(logits, { topK: 2, scoring: 'sigmoid', bias: track(backend.fill([7], 0)) }));
    const w = track(backend.fill([4, 5, 6], 1));
    const ids = track(backend.fill([3, 2], 0, 'int32'));
    expectBackendError('expertMatmul', () => backend.expertMatmul(track(backend.fill([3, 1, 7], 1)), w, ids));
    expectBackendError('expertMatmul', () => backend.expertMatmul(track(backend.fill([3, 3, 6], 1)), w, ids));
    expectBackendError('expertMatmul', () => backend.expertMatmul(track(backend.fill([3, 1, 6], 1)), track(backend.fill([5, 6], 1)), ids));
    expectBackendError('expertMatmul', () => backend.expertMatmul(track(backend.fill([3, 1, 6], 1)), w, track(backend.fill([3, 2], 0))));
    // an expert index out of range, uploaded from the host
    expectBackendError('expertMatmul', () =>
      backend.expertMatmul(track(backend.fill([3, 1, 6], 1)), w, track(backend.tensor(Int32Array.from([0, 1, 2, 4, 3, 0]), [3, 2], 'int32'))),
    );
  });
}
