import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error.js';
import { createReferenceBackend } from '../testing/index.js';
import { createToyCausalLM, toyGreedy, type ToyCausalLM } from './__fixtures__/toy-causal-lm.js';
import { generateTokens } from './generate-tokens.js';
import type { GenerationStep } from './generation-step.js';

const VOCAB = 32;

async function steps(generation: AsyncIterable<GenerationStep>): Promise<GenerationStep[]> {
  const out: GenerationStep[] = [];
  for await (const step of generation) out.push(step);
  return out;
}

describe('generateTokens: context length and event-loop turns', () => {
  let backend: Backend;
  let model: ToyCausalLM;
  beforeEach(() => {
    backend = createReferenceBackend();
    model = createToyCausalLM(backend, VOCAB, 1, 8);
  });
  afterEach(() => backend.dispose());

  it('refuses a prompt longer than the context before creating a session, naming both numbers', () => {
    const live = backend.memory().tensors;
    let caught: unknown;
    try {
      generateTokens(model, {
        inputIds: [
          [1, 2],
          [1, 2, 3, 4, 5, 6, 7, 8, 9],
        ],
      });
    } catch (error) {
      caught = error;
    }
    expect(ContextLengthExceededError.isInstance(caught)).toBe(true);
    const error = caught as ContextLengthExceededError;
    expect(error.code).toBe('PIO_CONTEXT_LENGTH_EXCEEDED');
    expect([error.promptTokens, error.contextLength]).toEqual([9, 8]);
    expect(error.message).toContain('9 tokens');
    expect(error.message).toContain('context length of 8');
    expect(model.prompts).toEqual([]);
    expect(backend.memory().tensors).toBe(live); // nothing allocated
  });

  it('caps maxNewTokens by the room left in the context (reason length)', async () => {
    const prompt = [3, 9, 4, 1, 5];
    const run = await steps(generateTokens(model, { inputIds: [prompt, [7]] }, { maxNewTokens: 100 }));
    const tokens = [0, 1].map((row) => run.flatMap((s) => s.tokens.filter((t) => t.row === row).map((t) => t.token)));
    // the padded prompt holds 5 positions of 8: three tokens fit, for both rows
    expect(tokens[0]).toEqual(toyGreedy(model, prompt, 3));
    expect(tokens[1]).toEqual(toyGreedy(model, [7], 3));
    expect(run.flatMap((s) => s.finished).map((f) => f.reason)).toEqual(['length', 'length']);

    const full = await steps(generateTokens(model, { inputIds: [[1, 2, 3, 4, 5, 6, 7, 8]] }, { maxNewTokens: 4 }));
    expect(full).toEqual([{ step: 0, tokens: [], finished: [{ row: 0, reason: 'length' }] }]);
    expect(model.calls).toBe(3); // prefill + 2 steps for the first run (the third token is not fed back); none for the full prompt
  });

  it('gives the event loop a turn before the prompt and between steps (setImmediate callbacks run)', async () => {
    const big = createToyCausalLM(backend, VOCAB, 2, 1024);
    let ticks = 0;
    const callsAtTick: number[] = [];
    const tick = () => {
      ticks++;
      callsAtTick.push(big.calls);
      if (ticks < 1000) immediate = setImmediate(tick);
    };
    let immediate = setImmediate(tick);
    try {
      await steps(generateTokens(big, { inputIds: [[1, 2, 3]] }, { maxNewTokens: 20 }));
    } finally {
      clearImmediate(immediate);
    }
    // a callback ran between every two forward passes: before the prefill (0 calls) and after each of the 20 calls
    expect(new Set(callsAtTick.filter((c) => c <= 20)).size).toBeGreaterThanOrEqual(20);
    expect(callsAtTick[0]).toBe(0);
  });
});
