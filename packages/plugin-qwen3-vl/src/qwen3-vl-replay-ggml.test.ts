import { createGgmlBackend } from '@pio/backend-ggml';
import type { PromptBatch } from '@pio/core';
import { CachedDecoderSession } from '@pio/core/nn';
import { greedySessionSteps } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import { FIXTURE_DIR, readGolden } from './testing/golden.js';

// Core's decode session records two consecutive decode steps and, when they match, replays the step's ggml graph with
// new token, position, mask and cache-slot values instead of running the model's forward pass. The values must be
// those of every step run in full: here across KV-cache padding blocks of 8 positions (each new block records the
// graph again), with two rows of different lengths (left padding, per-row positions).
describe('Qwen3-VL decode steps replayed on ggml', () => {
  it('give the logits of steps run in full, across padding blocks, with rows of different lengths', async () => {
    const c = readGolden().cases.find((k: { uses_image: boolean }) => !k.uses_image);
    const ids: number[] = c.input_ids[0];
    const pad = ids.length - 5;
    const prompt: PromptBatch = {
      inputIds: [ids, [...new Array(pad).fill(0), ...ids.slice(pad)]],
      attentionMask: [ids.map(() => 1), ids.map((_, t) => (t < pad ? 0 : 1))],
    };
    const steps = 24;
    // replay off through the session's option, or through the model's `replaySteps: false`
    const run = async (replaySteps: boolean, modelOptsOut = false) => {
      const backend = await createGgmlBackend({ threads: 2 });
      const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR);
      const decoder = modelOptsOut ? Object.assign(Object.create(model) as typeof model, { replaySteps: false }) : model;
      const session = new CachedDecoderSession(decoder, prompt, undefined, { padding: 8, replaySteps });
      try {
        return { stepLogits: await greedySessionSteps(session, steps), stats: backend.graphStats() };
      } finally {
        session.dispose();
        model.dispose();
        backend.dispose();
      }
    };
    const replayed = await run(true);
    const full = await run(false);
    const optedOut = await run(true, true);
    expect(full.stats.replayed).toBe(0);
    expect(optedOut.stats.replayed).toBe(0);
    expect(optedOut.stepLogits).toEqual(full.stepLogits);
    // per block of 8 decode positions: two recorded steps, then replays
    expect(replayed.stats.replayed).toBeGreaterThanOrEqual(steps / 2);
    for (const [s, logits] of replayed.stepLogits.entries()) expect(logits, `step ${s}`).toEqual(full.stepLogits[s]);
  });
});
