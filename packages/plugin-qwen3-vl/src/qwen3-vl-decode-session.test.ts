import { createReferenceBackend, lastPositionRows } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLModel } from './qwen3-vl-model.js';
import { FIXTURE_DIR, maxAbsDiff, readBin, readGolden } from './testing/golden.js';
import { greedy } from './testing/golden-suite.js';

const golden = readGolden();
const images = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: golden.preprocess.image_grid_thw };
const backend = createReferenceBackend();
let model: Qwen3VLModel;

describe('Qwen3-VL decode session (KV cache)', () => {
  beforeAll(async () => {
    ({ model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR));
  });
  afterAll(() => backend.dispose());

  for (const name of ['image', 'batch_image_text']) {
    it(`${name}: each cached step equals a full forward over prompt + generated tokens`, async () => {
      const c = golden.cases.find((x: { name: string }) => x.name === name);
      const steps = 4;
      const run = await greedy(model, c.input_ids, c.attention_mask, steps, images);
      for (let t = 1; t < steps; t++) {
        const ids = c.input_ids.map((row: number[], r: number) => [...row, ...run.tokens[r].slice(0, t)]);
        const mask = c.attention_mask.map((row: number[]) => [...row, ...new Array<number>(t).fill(1)]);
        const full = await model.infer({ inputIds: ids, attentionMask: mask, images });
        expect(maxAbsDiff(run.stepLogits[t], lastPositionRows(full.data, full.shape))).toBeLessThanOrEqual(1e-4);
      }
    });
  }

  it('refuses step() before prefill() and a wrong number of tokens', async () => {
    const c = golden.cases.find((x: { name: string }) => x.name === 'text');
    const session = model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
    await expect(session.step([1])).rejects.toThrow(/prefill/);
    (await session.prefill()).dispose();
    await expect(session.step([1, 2])).rejects.toThrow(/needs 1 tokens/);
    session.dispose();
  });

  it('frees its cache: backend memory returns to the weights only', async () => {
    const before = backend.memory().tensors;
    const c = golden.cases.find((x: { name: string }) => x.name === 'batch_image_text');
    await greedy(model, c.input_ids, c.attention_mask, 3, images);
    expect(backend.memory().tensors).toBe(before);
  });
});
