import { expect } from 'vitest';
import type { RecordedStep, StepValues } from '../backend/recorded-step.js';
import type { Tensor } from '../backend/tensor.js';
import { BackendError } from '../errors/backend-error.js';
import { KVCache } from '../nn/kv-cache.js';
import type { ConformanceRegistry } from './backend-conformance-context.js';
import { attentionRef } from './backend-conformance-nn.js';
import { build, type Nd } from './backend-conformance-oracle.js';

/** Random multiples of 1/8 in [-2, 2]: products and sums of a few stay exact in float32. */
function eighths(rng: () => number, shape: readonly number[]): Nd {
  return build(shape, () => Math.round(rng() * 32 - 16) / 8);
}

/** Expects `promise` to reject with a `BackendError` whose `op` is `op`. */
async function expectRejects(op: string, promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(BackendError.isInstance(error), `a BackendError from ${op}`).toBe(true);
  expect((error as BackendError).op).toBe(op);
}

/** The optional `Backend.recordStep` and its `RecordedStep`: replays compute what the recorded code computes. */
export function registerReplayTests(reg: ConformanceRegistry): void {
  reg.test('replay/record-step', async ({ backend, rng }) => {
    if (!backend.recordStep) {
      expect(backend.recordStep).toBeUndefined();
      return;
    }
    const record = backend.recordStep.bind(backend);
    const w = eighths(rng, [3, 4]);
    const weight = backend.tensor(Float32Array.from(w.data), w.shape);
    const expected = (x: Nd, c: number) => build([2, 4], ([i, j]) => c + [0, 1, 2].reduce((s, k) => s + x.data[i * 3 + k] * w.data[k * 4 + j], 0));
    // y = x·w + c, with x declared and c an undeclared input the code makes each time
    const run = async (x: Nd, c: number) => {
      const input = backend.tensor(Float32Array.from(x.data), x.shape);
      try {
        return await record([input], () => backend.scope(() => backend.add(backend.matmul(input, weight), backend.tensor([c], [1]))));
      } finally {
        input.dispose();
      }
    };
    const recordings: RecordedStep[] = [];
    try {
      // a backend may record only structures it has seen before: three runs suffice
      for (let i = 0; i < 3; i++) {
        const x = eighths(rng, [2, 3]);
        const result = await run(x, 0.5);
        expect([...result.shape]).toEqual([2, 4]);
        expect(Array.from(result.values)).toEqual(Array.from(expected(x, 0.5).data));
        if (result.step) recordings.push(result.step);
      }
      expect(recordings.length, 'recordings of the same computation').toBeGreaterThanOrEqual(1);
      const step = recordings[recordings.length - 1];
      expect([...step.shape]).toEqual([2, 4]);
      for (let i = 0; i < 3; i++) {
        const x = eighths(rng, [2, 3]);
        const values = await step.replay([Float32Array.from(x.data)]);
        expect(values).toBeInstanceOf(Float32Array);
        expect(Array.from(values), `replay ${i}`).toEqual(Array.from(expected(x, 0.5).data));
      }
      if (recordings.length >= 2) expect(step.matches(recordings[0]), 'two recordings of the same computation').toBe(true);
      // the same code with another value in an undeclared input is another computation
      const other = await run(eighths(rng, [2, 3]), 0.25);
      if (other.step) {
        recordings.push(other.step);
        expect(other.step.matches(step), 'an undeclared input changed').toBe(false);
      }
      await expectRejects('RecordedStep.replay', step.replay([]));
      await expectRejects('RecordedStep.replay', step.replay([new Float32Array(5)]));
      await expectRejects('RecordedStep.replay', step.replay([new Int32Array(6) as StepValues]));
      step.dispose();
      step.dispose();
      await expectRejects('RecordedStep.replay', step.replay([new Float32Array(6)]));
      // code that reads a tensor itself computes more than one graph: no recording
      const x = eighths(rng, [2, 3]);
      const input = backend.tensor(Float32Array.from(x.data), x.shape);
      const read = await record([input], async () => {
        const twice = backend.mul(input, 2);
        await twice.data();
        const out = backend.matmul(twice, weight);
        twice.dispose();
        return out;
      });
      input.dispose();
      expect(read.step).toBeUndefined();
      expect(Array.from(read.values)).toEqual(Array.from(expected({ shape: x.shape, data: x.data.map((v) => 2 * v) }, 0).data));
    } finally {
      for (const r of recordings) r.dispose();
      weight.dispose();
    }
  });

  reg.test('replay/decode-steps-over-a-kv-cache', async ({ backend, rng, track, expectValues }) => {
    if (!backend.recordStep || !backend.createSequenceBuffer) {
      expect(backend.recordStep === undefined || backend.createSequenceBuffer === undefined).toBe(true);
      return;
    }
    const record = backend.recordStep.bind(backend);
    // one attention layer over a cache padded to 16: keys x, values -x, query x (two query heads per KV head)
    const cache = new KVCache(backend, 1, { padding: 16, valueEntries: ['v'] });
    const keys: Nd[] = [];
    const rows: number[][] = [[]];
    const scale = 0.5;
    const layer = (x: Tensor, mask: Tensor) =>
      backend.scope(() => {
        const k = backend.reshape(x, [1, 1, 1, 4]);
        const { k: allK, v: allV } = cache.update(0, { k, v: backend.mul(k, -1) });
        const q = backend.concat([k, k], 1); // [1, 2, 1, 4]
        return backend.attention(q, allK, allV, { scale, mask });
      });
    const oracle = (x: Nd) => {
      const all = { shape: [1, 1, keys.length, 4], data: Float64Array.from(keys.flatMap((k) => [...k.data])) };
      const negated = { shape: all.shape, data: all.data.map((v) => -v) };
      const q = { shape: [1, 2, 1, 4], data: Float64Array.from([...x.data, ...x.data]) };
      return attentionRef(q, all, negated, scale);
    };
    // a prompt of 3 positions first
    const prompt = eighths(rng, [3, 4]);
    backend.scope(() => {
      cache.update(0, {
        k: backend.tensor(Float32Array.from(prompt.data), [1, 1, 3, 4]),
        v: backend.tensor(
          Float32Array.from(prompt.data, (v) => -v),
          [1, 1, 3, 4],
        ),
      });
    });
    await cache.flush();
    for (let t = 0; t < 3; t++) keys.push({ shape: [4], data: prompt.data.slice(t * 4, t * 4 + 4) });
    rows[0].push(1, 1, 1);
    let previous: RecordedStep | undefined;
    let replaying: RecordedStep | undefined;
    try {
      // decode steps run in full and recorded, until two consecutive recordings match
      for (let s = 0; s < 4 && !replaying; s++) {
        const x = eighths(rng, [4]);
        rows[0].push(1);
        keys.push(x);
        const mask = cache.attentionMask(rows, 1);
        const slot = cache.writeSlot() as Tensor;
        const input = backend.tensor(Float32Array.from(x.data), [4]);
        const result = await record([input, mask, slot], () => layer(input, mask));
        input.dispose();
        mask.dispose();
        await expectValues(track(backend.tensor(result.values, result.shape)), oracle(x), { label: `recorded step ${s}` });
        if (result.step && previous?.matches(result.step)) replaying = result.step;
        previous?.dispose();
        previous = replaying ? undefined : result.step;
      }
      expect(replaying, 'two consecutive decode steps recorded alike').toBeDefined();
      const step = replaying as RecordedStep;
      // replays inside the padding block: the steps' padded key length is the recorded one
      let replays = 0;
      while (cache.keyLength(1) === 16) {
        replays++;
        const x = eighths(rng, [4]);
        rows[0].push(1);
        keys.push(x);
        const values = await step.replay([Float32Array.from(x.data), cache.attentionMaskValues(rows, 1), Int32Array.of(cache.length)]);
        cache.advance();
        await expectValues(track(backend.tensor(values, step.shape)), oracle(x), { label: `replay at position ${cache.length}` });
      }
      expect(replays).toBeGreaterThanOrEqual(16 - 3 - 4); // the prompt, then at most four recorded steps
      step.dispose();
      // a step run in full after the replays attends over every position they wrote
      const x = eighths(rng, [4]);
      rows[0].push(1);
      keys.push(x);
      const mask = cache.attentionMask(rows, 1);
      const out = track(layer(track(backend.tensor(Float32Array.from(x.data), [4])), mask));
      mask.dispose();
      await expectValues(out, oracle(x), { label: 'a full step after the replays' });
      expect(cache.length).toBe(keys.length);
    } finally {
      previous?.dispose();
      replaying?.dispose();
      cache.dispose();
    }
  });
}
