import type { RopeLayout } from '../backend/backend.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';
import { expect } from 'vitest';
import { at, atBroadcast, build, mapNd, nd, randomNd, transposeNd, type Nd } from './backend-conformance-oracle.js';

const MASKED = -1e9;

/** Rotary embedding reference: one angle per pair, `cos`/`sin` `[batch or 1, seq, pairs]`. */
function ropeRef(x: Nd, cos: Nd, sin: Nd, layout: RopeLayout): Nd {
  const pairs = cos.shape[2];
  return build(x.shape, ([b, s, h, d]) => {
    const cb = cos.shape[0] === 1 ? 0 : b;
    if (d >= 2 * pairs) return at(x, [b, s, h, d]);
    const i = layout === 'half' ? d % pairs : Math.floor(d / 2);
    const first = layout === 'half' ? d < pairs : d % 2 === 0;
    const [ia, ib] = layout === 'half' ? [i, i + pairs] : [2 * i, 2 * i + 1];
    const [a, bv] = [at(x, [b, s, h, ia]), at(x, [b, s, h, ib])];
    const [c, sn] = [at(cos, [cb, s, i]), at(sin, [cb, s, i])];
    return first ? a * c - bv * sn : bv * c + a * sn;
  });
}

/** Attention reference: plain loops, query head h reads KV head floor(h / (heads / kvHeads)). */
export function attentionRef(q: Nd, k: Nd, v: Nd, scale: number, mask?: Nd): Nd {
  const [batch, heads, queryLen, headDim] = q.shape;
  const [, kvHeads, keyLen] = k.shape;
  const valueDim = v.shape[3];
  const group = heads / kvHeads;
  const out = new Float64Array(batch * heads * queryLen * valueDim);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < queryLen; i++) {
        const scores: number[] = [];
        for (let j = 0; j < keyLen; j++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += at(q, [b, h, i, d]) * at(k, [b, kh, j, d]);
          scores.push(dot * scale + (mask ? atBroadcast(mask, [b, h, i, j]) : 0));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const sum = e.reduce((x, y) => x + y, 0);
        for (let d = 0; d < valueDim; d++) {
          let acc = 0;
          for (let j = 0; j < keyLen; j++) acc += (e[j] / sum) * at(v, [b, kh, j, d]);
          out[((b * heads + h) * queryLen + i) * valueDim + d] = acc;
        }
      }
    }
  }
  return { shape: [batch, heads, queryLen, valueDim], data: out };
}

/** Additive causal + padding mask `[batch, 1, queryLen, keyLen]`; queries are the last `queryLen` positions. */
function causalPaddingMask(padding: readonly number[], queryLen: number, keyLen: number): Nd {
  const past = keyLen - queryLen;
  return build([padding.length, 1, queryLen, keyLen], ([b, , i, j]) => (j <= past + i && j >= padding[b] ? 0 : MASKED));
}

/** `rmsNorm`, `layerNorm`, `rope`, `attention`. */
export function registerNnTests(reg: ConformanceRegistry): void {
  reg.test('nn/rmsNorm', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7], -2, 2);
    const w = randomNd(rng, [7], 0.5, 1.5);
    for (const eps of [1e-6, 0.1]) {
      const expected = build(x.shape, ([a, b, d]) => {
        let sq = 0;
        for (let j = 0; j < 7; j++) sq += at(x, [a, b, j]) ** 2;
        return (at(x, [a, b, d]) / Math.sqrt(sq / 7 + eps)) * w.data[d];
      });
      await expectValues(track(backend.rmsNorm(upload(x), upload(w), eps)), expected, { label: `eps ${eps}` });
    }
  });

  reg.test('nn/layerNorm', async ({ backend, track, rng, upload, expectValues }) => {
    const x = randomNd(rng, [3, 5, 7], -2, 3);
    const w = randomNd(rng, [7], 0.5, 1.5);
    const bias = randomNd(rng, [7]);
    for (const eps of [1e-5, 0.1]) {
      const expected = build(x.shape, ([a, b, d]) => {
        const row = Array.from({ length: 7 }, (_, j) => at(x, [a, b, j]));
        const mean = row.reduce((s, y) => s + y, 0) / 7;
        const variance = row.reduce((s, y) => s + (y - mean) ** 2, 0) / 7;
        return ((at(x, [a, b, d]) - mean) / Math.sqrt(variance + eps)) * w.data[d] + bias.data[d];
      });
      await expectValues(track(backend.layerNorm(upload(x), upload(w), upload(bias), eps)), expected, { label: `eps ${eps}` });
    }
  });

  const ropeCases: Array<{ id: string; x: number[]; tableBatch: number; pairs: number }> = [
    { id: 'full', x: [2, 3, 4, 8], tableBatch: 2, pairs: 4 },
    { id: 'partial', x: [2, 3, 2, 10], tableBatch: 1, pairs: 3 },
    { id: 'batch-broadcast', x: [3, 5, 1, 6], tableBatch: 1, pairs: 3 },
  ];
  for (const layout of ['half', 'interleaved'] as const) {
    for (const c of ropeCases) {
      reg.test(`nn/rope-${layout}-${c.id}`, async ({ backend, track, rng, upload, expectValues }) => {
        const x = randomNd(rng, c.x, -2, 2);
        const angles = randomNd(rng, [c.tableBatch, c.x[1], c.pairs], -Math.PI, Math.PI);
        const cos = mapNd(angles, (a) => Math.fround(Math.cos(a)));
        const sin = mapNd(angles, (a) => Math.fround(Math.sin(a)));
        await expectValues(track(backend.rope(upload(x), upload(cos), upload(sin), layout)), ropeRef(x, cos, sin, layout));
      });
    }
  }

  // Optional `ropePositions`: the same rotation from integer positions. Angles stay below 20 radians, where float32's
  // spacing (2e-6) keeps a backend's one extra rounding of the angle within the suite tolerance.
  const positionCases: Array<{ id: string; x: number[]; rows: number; pairs: number }> = [
    { id: 'full', x: [1, 5, 3, 8], rows: 1, pairs: 4 },
    { id: 'partial-broadcast', x: [2, 4, 2, 10], rows: 1, pairs: 3 },
    { id: 'per-row', x: [2, 3, 2, 8], rows: 2, pairs: 4 },
  ];
  for (const layout of ['half', 'interleaved'] as const) {
    for (const c of positionCases) {
      reg.test(`nn/ropePositions-${layout}-${c.id}`, async ({ backend, track, rng, upload, expectValues }) => {
        if (!backend.ropePositions) {
          // optional: models fall back to rope with tables (applyRotary)
          expect(backend.ropePositions).toBeUndefined();
          return;
        }
        const x = randomNd(rng, c.x, -1, 1);
        const seq = c.x[1];
        const positions = nd(
          Array.from({ length: c.rows * seq }, () => Math.floor(rng() * 20)),
          [c.rows, seq],
        );
        const inv = nd(
          Array.from({ length: c.pairs }, (_, i) => Math.fround(1 / 10000 ** ((2 * i) / (2 * c.pairs)))),
          [c.pairs],
        );
        const angles = build([c.rows, seq, c.pairs], ([r, s, i]) => Math.fround(at(positions, [r, s]) * inv.data[i]));
        const cos = mapNd(angles, (a) => Math.fround(Math.cos(a)));
        const sin = mapNd(angles, (a) => Math.fround(Math.sin(a)));
        const out = backend.ropePositions(upload(x), upload(positions, 'int32'), upload(inv), layout);
        await expectValues(track(out), ropeRef(x, cos, sin, layout));
      });
    }
  }

  reg.test('nn/ropePositions-bad-input', async ({ backend, track, rng, upload, expectBackendError }) => {
    if (!backend.ropePositions) {
      expect(backend.ropePositions).toBeUndefined();
      return;
    }
    const rope = backend.ropePositions.bind(backend);
    const x = upload(randomNd(rng, [1, 3, 2, 8]));
    const inv = upload(nd([1, 0.1, 0.01, 0.001], [4]));
    expectBackendError('ropePositions', () => track(rope(x, upload(nd([0, 1, 2], [1, 3])), inv, 'half'))); // float positions
    expectBackendError('ropePositions', () => track(rope(x, upload(nd([0, 1], [1, 2]), 'int32'), inv, 'half'))); // wrong seq
    const wide = upload(nd([1, 0.5, 0.25, 0.125, 0.06], [5]));
    expectBackendError('ropePositions', () => track(rope(x, upload(nd([0, 1, 2], [1, 3]), 'int32'), wide, 'half'))); // 10 > 8
  });

  reg.test('nn/rope-non-contiguous-input', async ({ backend, track, rng, upload, expectValues }) => {
    const raw = randomNd(rng, [2, 4, 3, 8], -2, 2); // [batch, heads, seq, headDim]
    const x = transposeNd(raw, [0, 2, 1, 3]); // [batch, seq, heads, headDim]
    const angles = randomNd(rng, [1, 3, 4], -3, 3);
    const cos = mapNd(angles, (a) => Math.fround(Math.cos(a)));
    const sin = mapNd(angles, (a) => Math.fround(Math.sin(a)));
    const tx = track(backend.transpose(upload(raw), [0, 2, 1, 3]));
    await expectValues(track(backend.rope(tx, upload(cos), upload(sin), 'half')), ropeRef(x, cos, sin, 'half'));
  });

  reg.test('nn/attention-mha-no-mask', async ({ backend, track, rng, upload, expectValues }) => {
    const q = randomNd(rng, [2, 2, 5, 4]);
    const k = randomNd(rng, [2, 2, 5, 4]);
    const v = randomNd(rng, [2, 2, 5, 4]);
    await expectValues(track(backend.attention(upload(q), upload(k), upload(v), { scale: 0.5 })), attentionRef(q, k, v, 0.5));
  });

  reg.test('nn/attention-gqa-causal-padding', async ({ backend, track, rng, upload, expectValues }) => {
    // 6 query heads over 2 KV heads; 3 new queries after 3 cached positions; row 1 left-padded by 2.
    const qRaw = randomNd(rng, [2, 3, 6, 8], -2, 2); // [batch, queryLen, heads, headDim] as projections come out
    const k = randomNd(rng, [2, 2, 6, 8], -2, 2);
    const v = randomNd(rng, [2, 2, 6, 3], -2, 2); // valueDim 3 differs from headDim
    const mask = causalPaddingMask([0, 2], 3, 6);
    const q = transposeNd(qRaw, [0, 2, 1, 3]);
    const tq = track(backend.transpose(upload(qRaw), [0, 2, 1, 3]));
    const scale = 8 ** -0.5;
    await expectValues(track(backend.attention(tq, upload(k), upload(v), { scale, mask: upload(mask) })), attentionRef(q, k, v, scale, mask));
  });

  reg.test('nn/attention-decode-broadcast-mask', async ({ backend, track, rng, upload, expectValues }) => {
    const q = randomNd(rng, [2, 4, 1, 5]);
    const k = randomNd(rng, [2, 1, 7, 5]);
    const v = randomNd(rng, [2, 1, 7, 5]);
    const mask = nd([MASKED, MASKED, 0, 0, 0, 0, 0], [1, 1, 1, 7]);
    await expectValues(track(backend.attention(upload(q), upload(k), upload(v), { scale: 0.3, mask: upload(mask) })), attentionRef(q, k, v, 0.3, mask));
  });

  reg.test('nn/attention-full-mask', async ({ backend, track, rng, upload, expectValues }) => {
    const q = randomNd(rng, [1, 4, 3, 4]);
    const k = randomNd(rng, [1, 2, 3, 4]);
    const v = randomNd(rng, [1, 2, 3, 2]);
    const mask = randomNd(rng, [1, 4, 3, 3], -3, 0); // a per-head additive bias
    await expectValues(track(backend.attention(upload(q), upload(k), upload(v), { scale: 1, mask: upload(mask) })), attentionRef(q, k, v, 1, mask));
  });

  reg.test('errors/nn-shapes', ({ backend, track, expectBackendError }) => {
    const x = track(backend.fill([2, 3, 4, 8], 1));
    expectBackendError('rmsNorm', () => backend.rmsNorm(x, track(backend.fill([7], 1)), 1e-6));
    expectBackendError('layerNorm', () => backend.layerNorm(x, track(backend.fill([8], 1)), track(backend.fill([6], 0)), 1e-6));
    expectBackendError('rope', () => backend.rope(x, track(backend.fill([2, 4, 4], 1)), track(backend.fill([2, 4, 4], 0)), 'half'));
    expectBackendError('rope', () => backend.rope(x, track(backend.fill([2, 3, 5], 1)), track(backend.fill([2, 3, 5], 0)), 'half'));
    const q = track(backend.fill([1, 3, 2, 4], 1));
    const kv = track(backend.fill([1, 2, 2, 4], 1));
    expectBackendError('attention', () => backend.attention(q, kv, kv, { scale: 1 }));
    const q4 = track(backend.fill([1, 4, 2, 4], 1));
    expectBackendError('attention', () => backend.attention(q4, track(backend.fill([1, 2, 2, 5], 1)), kv, { scale: 1 }));
  });
}
