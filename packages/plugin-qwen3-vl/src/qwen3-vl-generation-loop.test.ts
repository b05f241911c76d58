import { createGgmlBackend } from '@pio/backend-ggml';
import { createTfjsBackend } from '@pio/backend-tfjs';
import { ContextLengthExceededError, type Backend } from '@pio/core';
import { generateTokens, type GenerationStep } from '@pio/core/generation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLModel } from './qwen3-vl-model.js';
import { FIXTURE_DIR, readGolden } from './testing/golden.js';

const golden = readGolden();
const text = golden.cases.find((c: { name: string }) => c.name === 'text');
const prompt: number[] = text.input_ids[0];

const engines: Array<[string, () => Promise<Backend>]> = [
  ['tfjs-wasm', () => createTfjsBackend({ device: 'wasm' })],
  ['ggml', async () => createGgmlBackend({ threads: 2 })],
];

async function run(generation: AsyncIterable<GenerationStep>, onStep?: (step: GenerationStep) => void) {
  const tokens: number[] = [];
  const reasons: string[] = [];
  for await (const step of generation) {
    tokens.push(...step.tokens.map((t) => t.token));
    reasons.push(...step.finished.map((f) => f.reason));
    onStep?.(step);
  }
  return { tokens, reasons };
}

// The generation loop on the tiny Qwen3-VL fixture and real backends: it gives the event loop turns, ends on an
// abort signal within a step, refuses prompts longer than the context and caps new tokens by what is left.
describe.each(engines)('generateTokens on the Qwen3-VL fixture (%s)', (_name, createBackend) => {
  let backend: Backend;
  let model: Qwen3VLModel;
  beforeAll(async () => {
    backend = await createBackend();
    ({ model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR));
  });
  afterAll(() => {
    model?.dispose();
    backend?.dispose();
  });

  it('lets timers and other callbacks run while it generates', async () => {
    let step = -1;
    const timerSteps = new Set<number>();
    const turnSteps = new Set<number>();
    const interval = setInterval(() => timerSteps.add(step), 1);
    let immediate: NodeJS.Immediate;
    const turn = () => {
      turnSteps.add(step);
      immediate = setImmediate(turn);
    };
    immediate = setImmediate(turn);
    try {
      const result = await run(generateTokens(model, { inputIds: [prompt] }, { maxNewTokens: 16, eosTokenIds: [] }), (s) => (step = s.step));
      expect(result.tokens).toHaveLength(16);
    } finally {
      clearInterval(interval);
      clearImmediate(immediate!);
    }
    // a turn of the event loop between every two forward passes (steps 0..14 are each followed by one) ...
    for (let s = 0; s < 15; s++) expect(turnSteps.has(s), `a turn after step ${s}`).toBe(true);
    // ... and timers fire during the generation, not only after it
    expect([...timerSteps].filter((s) => s >= 0 && s < 15).length).toBeGreaterThan(0);
  });

  it('ends early on AbortSignal.timeout with reason abort, and frees the session', async () => {
    const live = backend.memory().tensors;
    const signal = AbortSignal.timeout(200);
    const result = await run(generateTokens(model, { inputIds: [prompt] }, { maxNewTokens: 20000, eosTokenIds: [], signal }));
    expect(signal.aborted).toBe(true);
    expect(result.reasons).toEqual(['abort']);
    expect(result.tokens.length).toBeLessThan(20000);
    expect(backend.memory().tensors).toBe(live);
  });

  it('refuses a prompt longer than the context before allocating, and caps maxNewTokens by the room left', async () => {
    const { model: small } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR, { contextLength: prompt.length + 3 });
    try {
      expect(small.contextLength).toBe(prompt.length + 3);
      const live = backend.memory().tensors;
      const tooLong = [...prompt, ...prompt.slice(0, 4)];
      let caught: unknown;
      try {
        generateTokens(small, { inputIds: [tooLong] });
      } catch (error) {
        caught = error;
      }
      expect(ContextLengthExceededError.isInstance(caught)).toBe(true);
      expect(caught).toMatchObject({ promptTokens: prompt.length + 4, contextLength: prompt.length + 3 });
      expect(() => small.createSession({ inputIds: [tooLong], attentionMask: [tooLong.map(() => 1)] })).toThrow(ContextLengthExceededError);
      expect(backend.memory().tensors).toBe(live);

      const capped = await run(generateTokens(small, { inputIds: [prompt] }, { maxNewTokens: 50, eosTokenIds: [] }));
      const free = await run(generateTokens(model, { inputIds: [prompt] }, { maxNewTokens: 3, eosTokenIds: [] }));
      expect(capped).toEqual({ tokens: free.tokens, reasons: ['length'] });
      expect(capped.tokens).toHaveLength(3);
    } finally {
      small.dispose();
    }
  });
});
