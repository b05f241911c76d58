import { createGgmlBackend } from '@pio/backend-ggml';
import type { Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLModel } from './qwen3-vl-model.js';
import { FIXTURE_DIR, maxAbsDiff } from './testing/golden.js';
import { greedy, logitsBound } from './testing/golden-suite.js';

// A prompt longer than one prefill chunk, on ggml, against the reference backend (one pass, float32): later chunks
// read the earlier chunks' keys from the KV cache, which ggml stores position-major (each position's heads together),
// through strided views; with flash attention a chunk of 32 or more query rows packs those keys first, a shorter one
// and every decode step read them in place. A batch of two rows, the second left-padded, covers the batch axis of the
// layout and the padding mask. Bound: the fixture's (max abs <= 1e-3 and <= 1e-4 x the largest reference logit).
const ROWS = [100, 70];
const STEPS = 4;

/** Deterministic ids in [1, vocab). */
function ids(n: number, seed: number, vocab: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 + ((i * 7919 + seed * 104729) % (vocab - 1)));
}

describe('Qwen3-VL: a chunked long prompt on ggml matches the reference backend', () => {
  let reference: Backend;
  let referenceModel: Qwen3VLModel;
  beforeAll(async () => {
    reference = createReferenceBackend();
    ({ model: referenceModel } = await createQwen3VLPlugin.loadModel(reference, FIXTURE_DIR));
  });
  afterAll(() => reference?.dispose());

  for (const flashAttention of ['on', 'off'] as const) {
    it(`flash attention ${flashAttention}: chunks of 40, 40, 20, then ${STEPS} greedy steps`, async () => {
      const vocab = referenceModel.vocabSize;
      const width = Math.max(...ROWS);
      const inputIds = ROWS.map((n, r) => [...new Array(width - n).fill(0), ...ids(n, r + 1, vocab)]);
      const attentionMask = ROWS.map((n) => [...new Array(width - n).fill(0), ...new Array(n).fill(1)]);
      const want = await greedy(referenceModel, inputIds, attentionMask, STEPS);

      const backend = await createGgmlBackend({ threads: 2, flashAttention });
      try {
        const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR);
        const got = await greedy(model, inputIds, attentionMask, STEPS, undefined, 40);
        expect(got.tokens).toEqual(want.tokens);
        for (let s = 0; s < STEPS; s++)
          expect(maxAbsDiff(got.stepLogits[s], want.stepLogits[s]), `step ${s}`).toBeLessThanOrEqual(logitsBound(want.stepLogits[s]));
      } finally {
        backend.dispose();
      }
    });
  }
});
