import * as tf from '@tensorflow/tfjs-core';
import type { Backend, Tensor } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend } from '../create-tfjs-backend.js';
import { WASM_SPLIT_MIN_ROWS } from './matmul-core.js';
import { seededRandom as random } from '../__fixtures__/seeded-random.js';

const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

/**
 * Products and attention big enough to take the wasm engine's rearranged paths (2-D splits, explicit transposes,
 * expanded broadcast batches; rows >= WASM_SPLIT_MIN_ROWS) and small enough for the slow ones, checked against the
 * float64 reference backend of `@pio/core/testing` at |d| <= 1e-5 + 1e-5 |expected|.
 */
describe.each(['wasm', 'js'] as const)('larger shapes on %s', (device) => {
  let backend: Backend;
  const reference = createReferenceBackend();
  let seed = 100;
  beforeAll(async () => {
    backend = await createTfjsBackend({ device });
  });
  afterAll(() => backend.dispose());

  /** The same random tensor on both backends. */
  function pair(shape: number[], mask = false): [Tensor, Tensor] {
    let values = random(size(shape), seed++);
    if (mask) values = values.map((v) => (v > 0.6 ? -1e9 : 0));
    return [backend.tensor(values, shape), reference.tensor(values, shape)];
  }

  async function expectClose(actual: Tensor, expected: Tensor): Promise<void> {
    expect(actual.shape).toEqual(expected.shape);
    const [a, e] = [await actual.data(), await expected.data()];
    let worst = -Infinity;
    let at = -1;
    for (let i = 0; i < e.length; i++) {
      const excess = Math.abs(a[i] - e[i]) - (1e-5 + 1e-5 * Math.abs(e[i]));
      if (excess > worst) [worst, at] = [excess, i];
    }
    expect(worst, `element ${at}: ${a[at]} vs ${e[at]}`).toBeLessThanOrEqual(0);
  }

  it('matmul: batched, transposed, broadcast batches, rank-2 right operand', async () => {
    expect(WASM_SPLIT_MIN_ROWS).toBeLessThanOrEqual(16);
    const cases: Array<[number[], number[], { transposeA?: boolean; transposeB?: boolean }]> = [
      [[3, 16, 40], [3, 40, 24], {}],
      [[2, 40, 16], [2, 24, 40], { transposeA: true, transposeB: true }],
      [[16, 40], [24, 40], { transposeB: true }],
      [[2, 40], [24, 40], { transposeB: true }], // few rows: slow path on wasm
      [[2, 1, 16, 8], [3, 8, 5], {}],
      [[1, 3, 9, 8], [2, 1, 8, 5], { transposeA: false }],
      [[2, 12, 32], [32, 20], {}],
    ];
    for (const [sa, sb, options] of cases) {
      const [a, ra] = pair(sa);
      const [b, rb] = pair(sb);
      await backend.scope(() => backend.matmul(a, b, options)).data();
      const y = backend.matmul(a, b, options);
      await expectClose(y, reference.matmul(ra, rb, options));
      for (const t of [a, b, y]) t.dispose();
    }
  });

  it('linear with bias over many rows, and with a plain [out, in] tensor as weight', async () => {
    const [x, rx] = pair([2, 9, 64]);
    const values = random(48 * 64, seed++);
    const host = { dtype: 'F32' as const, shape: [48, 64], bytes: new Uint8Array(values.buffer) };
    const w = backend.weight(host, { role: 'linear' });
    const rw = reference.weight(host, { role: 'linear' });
    const [bias, rbias] = pair([48]);
    const y = backend.linear(x, w, bias);
    await expectClose(y, reference.linear(rx, rw, rbias));
    const [plain, rplain] = pair([48, 64]);
    const y2 = backend.linear(x, plain);
    await expectClose(y2, reference.linear(rx, rplain));
    for (const t of [x, w, bias, y, plain, y2]) t.dispose();
  });

  it('attention: GQA prefill with a shared and a per-head mask, and a long decode step', async () => {
    const [q, rq] = pair([2, 8, 12, 16]);
    const [k, rk] = pair([2, 2, 20, 16]);
    const [v, rv] = pair([2, 2, 20, 24]);
    const [m, rm] = pair([2, 1, 12, 20], true);
    const [mh, rmh] = pair([1, 8, 12, 20], true);
    const scale = 16 ** -0.5;
    const y1 = backend.attention(q, k, v, { scale, mask: m });
    await expectClose(y1, reference.attention(rq, rk, rv, { scale, mask: rm }));
    const y2 = backend.attention(q, k, v, { scale, mask: mh });
    await expectClose(y2, reference.attention(rq, rk, rv, { scale, mask: rmh }));
    const [dq, rdq] = pair([1, 4, 1, 32]);
    const [dk, rdk] = pair([1, 2, 37, 32]);
    const [dv, rdv] = pair([1, 2, 37, 32]);
    const y3 = backend.attention(dq, dk, dv, { scale: 32 ** -0.5 });
    await expectClose(y3, reference.attention(rdq, rdk, rdv, { scale: 32 ** -0.5 }));
    for (const t of [q, k, v, m, mh, y1, y2, dq, dk, dv, y3]) t.dispose();
  });

  it('leaks nothing: backend and engine tensor counts are unchanged after a sequence of ops in scopes', async () => {
    const weight = backend.weight({ dtype: 'F32', shape: [32, 64], bytes: new Uint8Array(random(32 * 64, 7).buffer) }, { role: 'linear' });
    const compact = backend.weight({ dtype: 'F32', shape: [32, 64], bytes: new Uint8Array(random(32 * 64, 8).buffer) }, { role: 'linear', storage: 'int4' });
    const before = backend.memory();
    const engineBefore = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const out = backend.scope(() => {
        const x = backend.fill([2, 10, 64], 0.25);
        const h = backend.rmsNorm(x, backend.fill([64], 1), 1e-6);
        const a = backend.silu(backend.linear(h, weight));
        const b = backend.gelu(backend.linear(h, compact), 'erf');
        const q = backend.reshape(backend.mul(a, b), [2, 10, 4, 8]);
        const t = backend.fill([1, 10, 4], 0.5);
        const r = backend.transpose(backend.rope(q, t, t, 'half'), [0, 2, 1, 3]);
        const att = backend.attention(r, r, r, { scale: 0.3 });
        const logits = backend.logSoftmax(backend.reshape(att, [2, -1]));
        const { indices } = backend.topk(logits, 3);
        const rows = backend.cast(backend.div(backend.where(indices, indices, backend.fill([1], 1, 'int32')), 20), 'int32'); // < 16
        const picked = backend.gather(compact, backend.reshape(rows, [-1]), 0);
        return { best: backend.argMax(picked, -1), running: backend.cumsum(backend.maximum(backend.sub(rows, 2), 0), 1) };
      });
      expect(out.best.shape).toEqual([6]);
      expect(out.running.shape).toEqual([2, 3]);
      out.best.dispose();
      out.running.dispose();
    }
    expect(backend.memory()).toEqual(before);
    expect(tf.memory().numTensors).toBe(engineBefore);
    weight.dispose();
    compact.dispose();
  });
});
