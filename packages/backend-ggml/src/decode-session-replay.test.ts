import { type DecoderModel, CachedDecoderSession } from '@pio/core/nn';
import { greedySessionSteps } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';

// Core's decode session replays recorded decode steps on ggml. A model without attention layers (nothing in its KV
// cache: the `pio new plugin` scaffold) is replayed too, and its replays count no cache positions.
describe('CachedDecoderSession on ggml, a model without a KV cache', () => {
  it('replays its decode steps with the logits of steps run in full', async () => {
    const run = async (replaySteps: boolean) => {
      const backend = await createGgmlBackend({ threads: 1 });
      const vocab = 7;
      const dim = 4;
      const table = backend.tensor(
        Float32Array.from({ length: vocab * dim }, (_, i) => Math.sin(i) * 0.5),
        [vocab, dim],
      );
      const head = backend.tensor(
        Float32Array.from({ length: vocab * dim }, (_, i) => Math.cos(i) * 0.5),
        [dim, vocab],
      );
      // the next token's logits from the last token alone: embedding, then a head
      const model: DecoderModel = {
        backend,
        vocabSize: vocab,
        cacheLayers: 0,
        forward: (input) => {
          if (input.logits === 'none') return undefined;
          const seq = input.inputIds[0].length;
          return backend.scope(() => {
            let h = backend.gather(table, input.tokenIds, 0); // [batch, seq, dim]
            if (input.logits === 'last') h = backend.slice(h, [0, seq - 1, 0], [input.inputIds.length, 1, dim]);
            return backend.matmul(h, head); // [batch, seq | 1, vocab]
          });
        },
      };
      const session = new CachedDecoderSession(model, { inputIds: [[1, 2, 3]], attentionMask: [[1, 1, 1]] }, undefined, { replaySteps });
      try {
        return { stepLogits: await greedySessionSteps(session, 8), stats: backend.graphStats() };
      } finally {
        session.dispose();
        table.dispose();
        head.dispose();
        backend.dispose();
      }
    };
    const replayed = await run(true);
    const full = await run(false);
    expect(full.stats.replayed).toBe(0);
    expect(replayed.stats.replayed).toBeGreaterThan(0);
    expect(replayed.stepLogits).toEqual(full.stepLogits);
  });
});
