import type { Backend } from '@pio/core';
import { type DecoderModel, CachedDecoderSession } from '@pio/core/nn';
import { createReferenceBackend, greedySessionSteps } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';

const VOCAB = 7;
const DIM = 4;

/**
 * A model whose logits read every cached position (the sum of the cached embeddings, then a head), so a position
 * counted twice or lost changes them. With `guessAt`, a decode step at one of those positions "guesses wrong": its
 * logits get NaN added (from a table indexed by the cache's write slot, a declared input, so replays guess too) and
 * `rejectsStep` rejects them; the retry computes without the table.
 */
function cacheSumModel(backend: Backend, guessAt: readonly number[]) {
  const table = backend.tensor(
    Float32Array.from({ length: VOCAB * DIM }, (_, i) => Math.sin(i) * 0.5),
    [VOCAB, DIM],
  );
  const head = backend.tensor(
    Float32Array.from({ length: VOCAB * DIM }, (_, i) => Math.cos(i) * 0.5),
    [DIM, VOCAB],
  );
  const flagValues = new Float32Array(64);
  for (const p of guessAt) flagValues[p] = Number.NaN;
  const flags = backend.tensor(flagValues, [64, 1]);
  const retries: number[] = [];
  const rejected: Array<'forward' | 'replay'> = [];
  let forwarded = false;
  const model: DecoderModel = {
    backend,
    vocabSize: VOCAB,
    cacheLayers: 1,
    forward: (input) => {
      const position = input.positions[0][0][0];
      forwarded = true;
      if (input.retry) retries.push(position);
      const guess = guessAt.length > 0 && input.phase === 'decode' && !input.retry;
      // before the update: the slot this step writes at (the cache makes a new one once it has counted the step)
      const slot = guess ? input.cache.writeSlot() : undefined;
      return backend.scope(() => {
        const [batch, seq] = input.tokenIds.shape;
        const e = backend.reshape(backend.gather(table, input.tokenIds, 0), [batch, 1, seq, DIM]); // [batch, 1, seq, dim]
        const { k } = input.cache.update(0, { k: e }); // [batch, 1, keyLength, dim], padding zero
        let logits = backend.matmul(backend.reshape(backend.sum(k, 2), [batch, 1, DIM]), head); // [batch, 1, vocab]
        if (guess) {
          const flag = slot ? backend.gather(flags, slot, 0) : backend.tensor([flagValues[position]], [1, 1]); // [1, 1]
          logits = backend.add(logits, backend.reshape(flag, [1, 1, 1]));
        }
        return logits;
      });
    },
    ...(guessAt.length > 0 && {
      rejectsStep: (logits: Float32Array) => {
        const bad = logits.some(Number.isNaN);
        // a step checked with no forward pass since the last check was a replay
        if (bad) rejected.push(forwarded ? 'forward' : 'replay');
        forwarded = false;
        return bad;
      },
    }),
  };
  return {
    model,
    retries,
    rejected,
    dispose: () => {
      for (const t of [table, head, flags]) t.dispose();
    },
  };
}

async function run(backend: Backend, guessAt: readonly number[]) {
  const m = cacheSumModel(backend, guessAt);
  const session = new CachedDecoderSession(m.model, { inputIds: [[1, 2, 3]], attentionMask: [[1, 1, 1]] });
  try {
    // positions 0-2 the prompt, 3-14 the steps
    return { stepLogits: await greedySessionSteps(session, 12), retries: m.retries, rejected: m.rejected };
  } finally {
    session.dispose();
    m.dispose();
  }
}

// Core's decode session with a model that rejects steps (`DecoderModel.rejectsStep`): a rejected step runs again with
// `retry` set, after its cache writes are undone, and the session returns what it would have without the guess.
describe('CachedDecoderSession, rejected decode steps', () => {
  it('on ggml: a rejected replay and a rejected recorded step are run again; logits as without guessing', async () => {
    const backend = await createGgmlBackend({ threads: 1 });
    try {
      const exact = await run(backend, []);
      const replayedBefore = backend.graphStats().replayed;
      expect(replayedBefore, 'the exact run replays its steps').toBeGreaterThan(0);
      // the steps before 7 are recorded until two match, 7 is a replay and rejected (its write not counted); the
      // recordings are dropped, so 8 and 9 are recorded again: 9 is rejected (its write undone)
      const guessed = await run(backend, [7, 9]);
      expect(guessed.retries).toEqual([7, 9]);
      expect(guessed.rejected).toEqual(['replay', 'forward']);
      expect(backend.graphStats().replayed - replayedBefore, 'replays after the rejections too').toBeGreaterThanOrEqual(4);
      expect(guessed.stepLogits).toEqual(exact.stepLogits);
    } finally {
      backend.dispose();
    }
  });

  it('on the reference backend (no replays): a rejected step is undone in the cache and run again', async () => {
    const backend = createReferenceBackend();
    const exact = await run(backend, []);
    const guessed = await run(backend, [3, 7, 8]);
    expect(guessed.retries).toEqual([3, 7, 8]);
    expect(guessed.rejected).toEqual(['forward', 'forward', 'forward']);
    expect(guessed.stepLogits).toEqual(exact.stepLogits);
    expect(backend.memory().tensors).toBe(0);
  });
});
