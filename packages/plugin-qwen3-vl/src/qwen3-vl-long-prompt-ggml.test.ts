import { createGgmlBackend } from '@pio/backend-ggml';
import type { Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it(`decode steps over a cache reserved for ${STEPS} new tokens attend over the reserved positions, not the 256 pad`, async () => {
    const vocab = referenceModel.vocabSize;
    const width = Math.max(...ROWS);
    const inputIds = ROWS.map((n, r) => [...new Array(width - n).fill(0), ...ids(n, r + 1, vocab)]);
    const attentionMask = ROWS.map((n) => [...new Array(width - n).fill(0), ...new Array(n).fill(1)]);
    const want = await greedy(referenceModel, inputIds, attentionMask, STEPS);

    const backend = await createGgmlBackend({ threads: 2 });
    try {
      const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR);
      /**
       * Key lengths of the attention calls with one query row: the prompt's last layer (its last position over the
       * prompt's keys) and the decode steps (recorded once, then replayed).
       */
      const stepKeys = async (reserve?: { maxNewTokens: number }) => {
        const lengths = new Set<number>();
        const attention = backend.attention.bind(backend);
        const spy = vi.spyOn(backend, 'attention').mockImplementation((q, k, v, options) => {
          if (q.shape[2] === 1) lengths.add(k.shape[2]);
          return attention(q, k, v, options);
        });
        try {
          return { run: await greedy(model, inputIds, attentionMask, STEPS, undefined, 40, reserve), lengths: [...lengths] };
        } finally {
          spy.mockRestore();
        }
      };
      // the prompt (100) and the tokens it may generate (4): no step can reach past position 104
      const reserved = await stepKeys({ maxNewTokens: STEPS });
      expect(reserved.lengths).toEqual([width, width + STEPS]);
      // without a reservation the steps read the padded 256 (ggml's kvCachePadding)
      expect((await stepKeys()).lengths).toEqual([width, 256]);
      expect(reserved.run.tokens).toEqual(want.tokens);
      for (let s = 0; s < STEPS; s++)
        expect(maxAbsDiff(reserved.run.stepLogits[s], want.stepLogits[s]), `step ${s}`).toBeLessThanOrEqual(logitsBound(want.stepLogits[s]));
    } finally {
      backend.dispose();
    }
  });
});
