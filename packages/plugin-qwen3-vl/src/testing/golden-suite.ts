import type { Backend } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from '../qwen3-vl-plugin.js';
import type { Qwen3VLImages, Qwen3VLModel } from '../qwen3-vl-model.js';
import { FIXTURE_DIR, maxAbsDiff, readBin, readGolden } from './golden.js';

/** Max |a - b| over positions where `mask[b][t] == 1`, for `[B, T, V]` arrays (test helper). */
export function maskedMaxAbsDiff(a: Float32Array, b: Float32Array, shape: number[], mask: number[][]): number {
  const [batch, seq, vocab] = shape;
  let m = 0;
  for (let r = 0; r < batch; r++) {
    for (let t = 0; t < seq; t++) {
      if (!mask[r][t]) continue;
      const base = (r * seq + t) * vocab;
      for (let v = 0; v < vocab; v++) m = Math.max(m, Math.abs(a[base + v] - b[base + v]));
    }
  }
  return m;
}

/** The fixture bound: max abs <= 1e-3 and <= 1e-4 x the largest reference logit (test helper). */
export function logitsBound(reference: Float32Array): number {
  let max = 0;
  for (const v of reference) max = Math.max(max, Math.abs(v));
  return Math.min(1e-3, 1e-4 * max);
}

/**
 * Greedy decoding through a session: returns the tokens and each step's logits (test helper). `reserve` is passed to
 * `prefill` (the session then sizes its cache for the prompt and that many new tokens).
 */
export async function greedy(
  model: Qwen3VLModel,
  inputIds: number[][],
  attentionMask: number[][],
  steps: number,
  images?: Qwen3VLImages,
  prefillChunkSize?: number,
  reserve?: { maxNewTokens: number },
) {
  const session = model.session({ inputIds, attentionMask }, images, { prefillChunkSize });
  const tokens: number[][] = inputIds.map(() => []);
  const stepLogits: Float32Array[] = [];
  try {
    let logits = await session.prefill(reserve);
    for (let s = 0; s < steps; s++) {
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      stepLogits.push(data);
      const next = inputIds.map((_, r) => {
        const row = data.subarray(r * model.vocabSize, (r + 1) * model.vocabSize);
        let best = 0;
        for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
        return best;
      });
      next.forEach((t, r) => tokens[r].push(t));
      if (s === steps - 1) break;
      logits = await session.step(next);
    }
  } finally {
    session.dispose();
  }
  return { tokens, stepLogits };
}

/** The golden-fixture tests of the Qwen3-VL model, run on any backend. */
export function describeGoldenSuite(label: string, createBackend: () => Promise<Backend> | Backend): void {
  const golden = readGolden();
  const images: Qwen3VLImages = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: golden.preprocess.image_grid_thw };
  let backend: Backend;
  let model: Qwen3VLModel;

  describe(`Qwen3-VL golden fixture on ${label}`, () => {
    beforeAll(async () => {
      backend = await createBackend();
      ({ model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR));
    });
    afterAll(() => {
      model?.dispose();
      backend?.dispose();
    });

    it('vision embeddings and DeepStack features match (<= 1e-4)', async () => {
      const outs = backend.scope(() => {
        const v = model.encodeImages(images);
        return [v.embeds, ...v.deepstack];
      });
      const refs = [golden.vision_intermediates.vision_embeds, golden.vision_intermediates.deepstack_0, golden.vision_intermediates.deepstack_1];
      expect(outs.length).toBe(refs.length);
      for (const [i, ref] of refs.entries()) {
        expect(outs[i].shape).toEqual(ref.shape);
        expect(maxAbsDiff((await outs[i].data()) as Float32Array, readBin(ref).data)).toBeLessThanOrEqual(1e-4);
        outs[i].dispose();
      }
    });

    for (const c of golden.cases) {
      it(`${c.name}: MRoPE positions, prefill logits, greedy tokens and step logits`, async () => {
        const caseImages = c.uses_image ? images : undefined;
        const rope = model.ropeIndex(c.input_ids, c.attention_mask, caseImages?.imageGridThw);
        expect(rope.positionIds).toEqual(c.position_ids);
        expect(rope.ropeDeltas).toEqual(c.rope_deltas);

        const liveTensors = backend.memory().tensors;
        const ref = readBin(c.logits);
        const out = await model.infer({ inputIds: c.input_ids, attentionMask: c.attention_mask, images: caseImages });
        expect(out.shape).toEqual(ref.shape);
        expect(maskedMaxAbsDiff(out.data, ref.data, ref.shape, c.attention_mask)).toBeLessThanOrEqual(logitsBound(ref.data));

        const run = await greedy(model, c.input_ids, c.attention_mask, c.greedy.steps, caseImages);
        expect(run.tokens).toEqual(c.greedy.tokens);
        const steps = readBin(c.greedy.step_logits); // [8, B, V]
        const per = steps.shape[1] * steps.shape[2];
        run.stepLogits.forEach((logits, s) => {
          const expected = steps.data.subarray(s * per, (s + 1) * per);
          expect(maxAbsDiff(logits, expected)).toBeLessThanOrEqual(logitsBound(expected));
        });
        expect(backend.memory().tensors).toBe(liveTensors); // nothing leaked by infer, prefill or steps
      });
    }

    // chunk sizes smaller than every prompt: image tokens span chunk boundaries
    for (const chunk of [3, 5]) {
      for (const c of golden.cases) {
        it(`${c.name}: prefill in chunks of ${chunk} gives the golden logits, greedy tokens and step logits`, async () => {
          const caseImages = c.uses_image ? images : undefined;
          const liveTensors = backend.memory().tensors;
          const ref = readBin(c.logits);
          const session = model.session({ inputIds: c.input_ids, attentionMask: c.attention_mask }, caseImages, { prefillChunkSize: chunk });
          const all = await session.prefillAll();
          session.dispose();
          expect(all.shape).toEqual(ref.shape);
          expect(c.input_ids[0].length).toBeGreaterThan(chunk);
          const data = (await all.data()) as Float32Array;
          all.dispose();
          expect(maskedMaxAbsDiff(data, ref.data, ref.shape, c.attention_mask)).toBeLessThanOrEqual(logitsBound(ref.data));

          const run = await greedy(model, c.input_ids, c.attention_mask, c.greedy.steps, caseImages, chunk);
          expect(run.tokens).toEqual(c.greedy.tokens);
          const steps = readBin(c.greedy.step_logits);
          const per = steps.shape[1] * steps.shape[2];
          run.stepLogits.forEach((logits, s) => {
            const expected = steps.data.subarray(s * per, (s + 1) * per);
            expect(maxAbsDiff(logits, expected)).toBeLessThanOrEqual(logitsBound(expected));
          });
          expect(backend.memory().tensors).toBe(liveTensors);
        });
      }
    }
  });
}
