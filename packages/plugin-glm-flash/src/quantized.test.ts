import type { Backend, WeightStorage } from '@pio/core';
import { LogitErrorTally } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import { fixtureDir, readBin, readGolden, type GlmFixtureName } from './testing/golden-fixture.js';
import { createTestGgmlBackend, createTestTfjsBackend } from './testing/test-backends.js';

/**
 * Weight-only quantization on the tfjs wasm engine, group size 16 (the tiny widths are 32..128; where a width is not
 * a multiple of 16 the backend keeps that matrix float32). Bounds come from measurements (see each case).
 */
const BOUNDS: Record<string, { maxAbs: number; meanAbs: number; minAgreement: number }> = {
  // Measured on both fixtures (tiny / grouped), prefill logits at valid positions and teacher-forced greedy agreement:
  //   bfloat16  max 0.130 / 0.126   mean 0.0163 / 0.0160   agreement 24/24, 24/24
  //   int8      max 3.77  / 4.03    mean 0.122  / 0.105    agreement 21/24, 22/24
  //   int4      max 7.59  / 6.31    mean 1.16   / 1.01     agreement  3/24,  6/24
  // int8's max comes from a few positions where the perturbed router picks another expert (these random tiny models
  // have router top-k gaps down to 0.002), elsewhere its error is ~0.1-0.3. Bounds: ~1.5x the measured max and 2x
  // the measured mean; agreement a little below the worst measured. Logits reach |11| and have std 2.4, and greedy
  // top-2 margins go down to 0.017, so int4's ~1.0 mean error changes most tokens of these random models: int4 is
  // bounded here, not faithful (chance agreement would be 1/1024).
  bfloat16: { maxAbs: 0.25, meanAbs: 0.04, minAgreement: 0.95 },
  int8: { maxAbs: 6, meanAbs: 0.25, minAgreement: 0.7 },
  int4: { maxAbs: 13.5, meanAbs: 2.3, minAgreement: 0.08 },
};

/**
 * ggml's compact storage types (its float32 runs the golden suite at the fixture tolerances), measured on both
 * fixtures the same way, with the same margins (~1.5x measured max, 2x mean, agreement a little below the worst):
 *   float16  max 0.0259 / 0.0188   mean 0.0028 / 0.0026   agreement 24/24, 24/24
 *   q8_0     max 3.77   / 4.66     mean 0.143  / 0.136    agreement 20/24, 23/24
 *   bfloat16 max 0.130  / 0.126    mean 0.0163 / 0.0160   agreement 24/24, 24/24
 *   q4_k     max 9.67   / 7.67     mean 0.945  / 1.04     agreement  3/24,  8/24
 * (ggml's f16 matmul also rounds the activations to f16; Q8_0 quantizes weights in blocks of 32 and the activations
 * to 8 bits, and flips a few router choices of these random models, hence its max. bfloat16 is stored as ggml BF16
 * and widened to float32 for the matmul, so its only error is the weights' rounding to bf16 (these checkpoints are
 * float32): the same figures as tfjs's bfloat16; its bounds are 1.5x the measured max and mean. (Those figures predate
 * the stacked routed experts: `expertMatmul` multiplies a BF16 stack with ggml's BF16 kernel, which also rounds the
 * activations to bf16; the same bounds hold.) These fixtures' rows
 * (32..128 values) are shorter than Q4_K's 256-value super-blocks, so q4_k falls back to Q4_0 on rows of
 * 32/64/96/128 and to float16 on the three matrices with rows of 48 (tiny) / 40 (grouped): the q4_k figures measure
 * that fallback, like tfjs's int4 — bounded, not faithful. Q4_K itself is measured in @pio/backend-ggml's
 * weights/q4k-weights.test.ts.)
 */
const GGML_BOUNDS: Record<string, { maxAbs: number; meanAbs: number; minAgreement: number }> = {
  float16: { maxAbs: 0.04, meanAbs: 0.006, minAgreement: 0.95 },
  q8_0: { maxAbs: 7, meanAbs: 0.29, minAgreement: 0.75 },
  bfloat16: { maxAbs: 0.2, meanAbs: 0.025, minAgreement: 0.95 },
  q4_k: { maxAbs: 14.5, meanAbs: 2.1, minAgreement: 0.08 },
};

const ENGINES: Array<{ name: string; create: () => Promise<Backend>; storages: WeightStorage[]; bounds: typeof BOUNDS }> = [
  { name: 'tfjs-wasm', create: () => createTestTfjsBackend('wasm'), storages: ['bfloat16', 'int8', 'int4'], bounds: BOUNDS },
  { name: 'ggml', create: () => createTestGgmlBackend(), storages: ['float16', 'q8_0', 'bfloat16', 'q4_k'], bounds: GGML_BOUNDS },
];

describe.each(ENGINES.flatMap((engine) => (['glm47flash-tiny', 'glm47flash-tiny-grouped'] as GlmFixtureName[]).map((fixture) => ({ ...engine, fixture }))))(
  'quantized weights on $name ($fixture)',
  ({ create, storages, bounds, fixture }) => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await create();
    });
    afterAll(() => backend.dispose());

    it.each(storages)('%s: bounded logit error and greedy agreement', async (storage) => {
      const BOUNDS = bounds;
      const golden = await readGolden(fixture);
      const loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir(fixture), { storage }, { groupSize: 16 });
      const tally = new LogitErrorTally();
      for (const c of golden.cases) {
        const logits = await loaded.model.forward({ inputIds: c.input_ids, attentionMask: c.attention_mask, positions: c.position_ids });
        const actual = await logits.data();
        const expected = await readBin(fixture, c.logits.file);
        logits.dispose();
        tally.addLogits(actual, expected, c.logits.shape, c.attention_mask);
        const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
        let step = await session.prefill();
        for (let s = 0; s < c.greedy.steps; s++) {
          const data = await step.data();
          step.dispose();
          const vocab = data.length / c.input_ids.length;
          const next = c.input_ids.map((_, b) => {
            const row = Array.from(data.subarray(b * vocab, (b + 1) * vocab));
            return [row.indexOf(Math.max(...row))];
          });
          tally.addTokens(
            next,
            c.greedy.tokens.map((row) => [row[s]]),
          );
          // teacher forcing: feed the golden token so one early miss does not hide later agreement
          if (s < c.greedy.steps - 1) step = await session.step(c.greedy.tokens.map((row) => row[s]));
        }
        session.dispose();
      }
      loaded.model.dispose();
      await loaded.close();
      expect(tally.worst).toBeLessThanOrEqual(BOUNDS[storage].maxAbs);
      expect(tally.meanAbs).toBeLessThanOrEqual(BOUNDS[storage].meanAbs);
      expect(tally.agreement).toBeGreaterThanOrEqual(BOUNDS[storage].minAgreement);
    });
  },
);

describe.each(['glm47flash-tiny', 'glm47flash-tiny-grouped'] as GlmFixtureName[])('a float16 KV cache on ggml (%s)', (fixture) => {
  it('float32 weights, float16 latent and rope-key cache: bounded step-logit error, greedy tokens kept', async () => {
    const backend = await createTestGgmlBackend();
    const golden = await readGolden(fixture);
    const loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir(fixture), { storage: 'float32', kvCacheStorage: 'float16' });
    let worst = 0;
    let agree = 0;
    let total = 0;
    for (const c of golden.cases) {
      const expected = await readBin(fixture, c.greedy.step_logits.file); // [steps, batch, vocab]
      const per = expected.length / c.greedy.steps;
      const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
      let step = await session.prefill();
      for (let s = 0; s < c.greedy.steps; s++) {
        const data = await step.data();
        step.dispose();
        for (let i = 0; i < per; i++) worst = Math.max(worst, Math.abs(data[i] - expected[s * per + i]));
        const vocab = data.length / c.input_ids.length;
        c.input_ids.forEach((_, b) => {
          const row = Array.from(data.subarray(b * vocab, (b + 1) * vocab));
          total++;
          if (row.indexOf(Math.max(...row)) === c.greedy.tokens[b][s]) agree++;
        });
        if (s < c.greedy.steps - 1) step = await session.step(c.greedy.tokens.map((row) => row[s]));
      }
      session.dispose();
    }
    loaded.model.dispose();
    await loaded.close();
    backend.dispose();
    // measured: max abs 0.0066 (tiny) / 0.0075 (grouped) over the teacher-forced step logits, 24/24 tokens each; ~1.5x
    expect(worst).toBeLessThanOrEqual(0.011);
    expect(agree / total).toBeGreaterThanOrEqual(0.95);
  });
});
