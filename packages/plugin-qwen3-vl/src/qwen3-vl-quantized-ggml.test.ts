import { createGgmlBackend } from '@pio/backend-ggml';
import type { Backend, WeightStorage } from '@pio/core';
import { LogitErrorTally } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLImages } from './qwen3-vl-model.js';
import { FIXTURE_DIR, readBin, readGolden } from './testing/golden.js';
import { greedy } from './testing/golden-suite.js';

/**
 * ggml's compact weight storage on the golden fixture (its float32 runs the golden suite at the fixture tolerances).
 * Measured over the four cases (prefill logits at valid positions; free-running greedy decoding, 8 steps per row,
 * so one flipped token changes the rest of its row):
 *   float16  max abs 0.0225   mean abs 0.0024   greedy tokens equal 48/48
 *   q8_0     max abs 0.688    mean abs 0.0649   greedy tokens equal 42/48
 *   bfloat16 max abs 0.0939   mean abs 0.0138   greedy tokens equal 48/48
 *   q4_k     max abs 5.36     mean abs 0.736    greedy tokens equal 26/48
 * bfloat16 is stored as ggml BF16 and widened to float32 for the matmul, so its only error is the weights' rounding
 * to bf16 (the fixture's checkpoint is float32); its bounds are 1.5x the measured max and mean. The fixture's matrix
 * rows (32..128 values) are shorter than Q4_K's 256-value super-blocks: q4_k falls back to Q4_0 on every matrix, so
 * its figures measure Q4_0 (Q4_K itself: @pio/backend-ggml weights/q4k-weights.test.ts).
 * Bounds: ~1.5x the measured max, 2x the mean, agreement a little below the measured (the fixture's top-1/top-2
 * margins go down to 5e-3, below float16's error, so a flip is possible on another machine's summation order).
 */
const BOUNDS: Record<string, { maxAbs: number; meanAbs: number; minAgreement: number }> = {
  float16: { maxAbs: 0.035, meanAbs: 0.005, minAgreement: 0.95 },
  q8_0: { maxAbs: 1.0, meanAbs: 0.13, minAgreement: 0.8 },
  bfloat16: { maxAbs: 0.14, meanAbs: 0.021, minAgreement: 0.95 },
  q4_k: { maxAbs: 8.1, meanAbs: 1.5, minAgreement: 0.45 },
};

describe('Qwen3-VL golden fixture with compact weights on ggml', () => {
  const golden = readGolden();
  const images: Qwen3VLImages = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: golden.preprocess.image_grid_thw };
  let backend: Backend;
  beforeAll(async () => {
    backend = await createGgmlBackend({ threads: 2 });
  });
  afterAll(() => backend?.dispose());

  it.each(Object.keys(BOUNDS) as WeightStorage[])('%s: bounded logit error and greedy agreement', async (storage) => {
    const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR, { storage });
    const tally = new LogitErrorTally();
    for (const c of golden.cases) {
      const caseImages = c.uses_image ? images : undefined;
      const ref = readBin(c.logits);
      const out = await model.infer({ inputIds: c.input_ids, attentionMask: c.attention_mask, images: caseImages });
      tally.addLogits(out.data, ref.data, ref.shape, c.attention_mask);
      const run = await greedy(model, c.input_ids, c.attention_mask, c.greedy.steps, caseImages);
      tally.addTokens(run.tokens, c.greedy.tokens);
    }
    model.dispose();
    expect(tally.worst).toBeLessThanOrEqual(BOUNDS[storage].maxAbs);
    expect(tally.meanAbs).toBeLessThanOrEqual(BOUNDS[storage].meanAbs);
    expect(tally.agreement).toBeGreaterThanOrEqual(BOUNDS[storage].minAgreement);
  });

  it('float32 weights with a float16 KV cache: bounded step-logit error and greedy agreement', async () => {
    // Cached keys and values rounded to float16 (11 significant bits); the prompt pass reads them back too.
    const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR, { storage: 'float32', kvCacheStorage: 'float16' });
    let worst = 0;
    let agree = 0;
    let total = 0;
    for (const c of golden.cases) {
      const run = await greedy(model, c.input_ids, c.attention_mask, c.greedy.steps, c.uses_image ? images : undefined);
      const steps = readBin(c.greedy.step_logits); // [steps, batch, vocab]
      const per = steps.shape[1] * steps.shape[2];
      run.stepLogits.forEach((logits, step) => {
        const expected = steps.data.subarray(step * per, (step + 1) * per);
        for (let i = 0; i < per; i++) worst = Math.max(worst, Math.abs(logits[i] - expected[i]));
      });
      run.tokens.forEach((row, r) => row.forEach((token, step) => ((total += 1), (agree += token === c.greedy.tokens[r][step] ? 1 : 0))));
    }
    model.dispose();
    // measured: max abs 0.0080 over every step's logits, greedy tokens equal 48/48; bound 1.5x
    expect(worst).toBeLessThanOrEqual(0.012);
    expect(agree / total).toBeGreaterThanOrEqual(0.95);
  });
});
