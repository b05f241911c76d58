import { describe, expect, it } from 'vitest';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error.js';
import { DecoderSessionError } from '../errors/decoder-session-error.js';
import { createReferenceBackend } from '../testing/index.js';
import type { PromptBatch } from './causal-lm.js';
import { CachedDecoderSession } from './cached-decoder-session.js';
import type { DecoderForwardInput, DecoderModel, LogitsSelection } from './decoder-model.js';

const VOCAB = 4;

interface Call {
  ids: number[][];
  positions: number[][][];
  start: number;
  maskShape: number[];
  logits: LogitsSelection;
  phase: string;
}

/**
 * A model whose logits at a position are `[sum of the visible real tokens' ids, position, 0, 0]`: it reads the cached
 * ids through the cache and the mask, so a wrong mask, cache or position changes its output.
 */
function recordingModel(axes = 1) {
  const backend = createReferenceBackend();
  const calls: Call[] = [];
  const model: DecoderModel<undefined, undefined> = {
    backend,
    vocabSize: VOCAB,
    cacheLayers: 1,
    preparePrompt:
      axes === 1
        ? undefined
        : (prompt: PromptBatch) => ({
            positions: Array.from({ length: axes }, (_, a) => prompt.attentionMask.map((row) => row.map((_m, t) => 10 * a + t))),
            state: undefined,
          }),
    async forward(input: DecoderForwardInput) {
      calls.push({
        ids: input.inputIds.map((r) => [...r]),
        positions: input.positions.map((a) => a.map((r) => [...r])),
        start: input.start,
        maskShape: [...input.mask.shape],
        logits: input.logits,
        phase: input.phase,
      });
      const batch = input.inputIds.length;
      const seq = input.inputIds[0].length;
      const ids = backend.tensor(Float32Array.from(input.inputIds.flat()), [batch, 1, seq, 1]);
      const { keys } = input.cache.update(0, { keys: ids }, 2); // [batch, 1, key, 1]
      if (keys !== ids) ids.dispose(); // the cache keeps its own copy
      if (input.logits === 'none') return undefined;
      const mask = (await input.mask.data()) as Float32Array; // [batch, 1, seq, key]
      const cached = (await keys.data()) as Float32Array;
      const key = keys.shape[2];
      const rows = input.logits === 'last' ? [seq - 1] : Array.from({ length: seq }, (_, i) => i);
      const out = new Float32Array(batch * rows.length * VOCAB);
      for (let b = 0; b < batch; b++) {
        rows.forEach((q, i) => {
          let sum = 0;
          for (let k = 0; k < key; k++) if (mask[(b * seq + q) * key + k] === 0) sum += cached[b * key + k];
          out.set([sum, input.positions[0][b][q], 0, 0], (b * rows.length + i) * VOCAB);
        });
      }
      return backend.tensor(out, [batch, rows.length, VOCAB]);
    },
  };
  return { backend, model, calls };
}

const PROMPT: PromptBatch = {
  inputIds: [
    [0, 0, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 5, 6, 7],
  ],
  attentionMask: [
    [0, 0, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1],
  ],
};

describe('CachedDecoderSession', () => {
  it('prefills in chunks: same logits as one pass, masks of chunk x (past + chunk), logits only from the last chunk', async () => {
    const whole = recordingModel();
    const one = new CachedDecoderSession(whole.model, PROMPT, undefined, { prefillChunkSize: 512 });
    const all = await one.prefillAll();
    const reference = Array.from((await all.data()) as Float32Array);
    all.dispose();
    one.dispose();

    for (const chunk of [1, 3, 5]) {
      const { model, calls } = recordingModel();
      const chunked = new CachedDecoderSession(model, PROMPT, undefined, { prefillChunkSize: chunk });
      const logits = await chunked.prefillAll();
      expect(Array.from((await logits.data()) as Float32Array)).toEqual(reference);
      logits.dispose();
      chunked.dispose();
      expect(calls.map((c) => c.start)).toEqual(Array.from({ length: Math.ceil(7 / chunk) }, (_, i) => i * chunk));
      for (const c of calls) expect(c.maskShape).toEqual([2, 1, c.ids[0].length, c.start + c.ids[0].length]);

      const gen = recordingModel();
      const session = new CachedDecoderSession(gen.model, PROMPT, undefined, { prefillChunkSize: chunk });
      const last = await session.prefill();
      expect(last.shape).toEqual([2, VOCAB]);
      // row 0: 5+6+7+8+9 at position 4; row 1: 1+...+7 at position 6
      expect(Array.from((await last.data()) as Float32Array)).toEqual([35, 4, 0, 0, 28, 6, 0, 0]);
      last.dispose();
      expect(gen.calls.map((c) => c.logits)).toEqual([...new Array<string>(gen.calls.length - 1).fill('none'), 'last']);
      const step = await session.step([1, 2]);
      expect(Array.from((await step.data()) as Float32Array)).toEqual([36, 5, 0, 0, 30, 7, 0, 0]);
      step.dispose();
      expect(gen.calls.at(-1)).toMatchObject({ ids: [[1], [2]], positions: [[[5], [7]]], start: 7, phase: 'decode', logits: 'last' });
      session.dispose();
      expect(gen.backend.memory().tensors).toBe(0);
    }
  });

  it('continues every position axis of a model after its largest prompt position', async () => {
    const { model, calls } = recordingModel(3);
    const session = new CachedDecoderSession(model, PROMPT, undefined, { prefillChunkSize: 4 });
    (await session.prefill()).dispose();
    (await session.step([1, 1])).dispose();
    // axis 2 holds 20 + t: its largest real position is 26, so every axis continues at 27
    expect(calls.at(-1)?.positions).toEqual([
      [[27], [27]],
      [[27], [27]],
      [[27], [27]],
    ]);
    session.dispose();
  });

  it('stops between chunks when the signal fires, and refuses misuse and prompts beyond the context', async () => {
    const { backend, model, calls } = recordingModel();
    const controller = new AbortController();
    const session = new CachedDecoderSession(model, PROMPT, undefined, { prefillChunkSize: 2 });
    const prefill = session.prefill({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(prefill).rejects.toThrow('stop');
    expect(calls).toHaveLength(1);
    session.dispose();
    expect(backend.memory().tensors).toBe(0);

    const fresh = new CachedDecoderSession(model, PROMPT);
    await expect(fresh.step([1, 2])).rejects.toThrow(DecoderSessionError);
    (await fresh.prefill()).dispose();
    await expect(fresh.prefill()).rejects.toThrow(/already called/);
    await expect(fresh.step([1])).rejects.toThrow(/needs 2 tokens/);
    fresh.dispose();

    expect(() => new CachedDecoderSession(model, PROMPT, undefined, { contextLength: 6 })).toThrow(ContextLengthExceededError);
    expect(() => new CachedDecoderSession(model, PROMPT, undefined, { prefillChunkSize: 0 })).toThrow(/prefillChunkSize/);
  });
});
