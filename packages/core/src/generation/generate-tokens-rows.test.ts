import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
import type { FinishReason } from '../plugin/generation-options.js';
import { createReferenceBackend } from '../testing/index.js';
import { qwen3TestTokenizer } from '../text/__fixtures__/qwen3-tokenizer.js';
import { createScriptedCausalLM } from './__fixtures__/scripted-causal-lm.js';
import { createToyCausalLM, toyGreedy, type ToyCausalLM } from './__fixtures__/toy-causal-lm.js';
import { collectText } from './generate-text.js';
import { generateTokens } from './generate-tokens.js';
import type { GenerateTokensOptions, GenerationStep, RowGenerationOptions, RowToken } from './generation-step.js';
import { streamText } from './stream-text.js';

const VOCAB = 32;
const PROMPTS = [[3, 9, 4, 1, 5], [7], [2, 6, 2], [11, 30]];

interface Rows {
  tokens: number[][];
  /** Tokens with their log-probabilities, without the row index. */
  items: Array<Omit<RowToken, 'row'>>[];
  reasons: FinishReason[];
}

async function collect(generation: AsyncIterable<GenerationStep>, rows: number, onStep?: (step: GenerationStep) => void): Promise<Rows> {
  const out: Rows = { tokens: Array.from({ length: rows }, () => []), items: Array.from({ length: rows }, () => []), reasons: [] };
  for await (const step of generation) {
    for (const t of step.tokens) {
      expect(out.reasons[t.row], `token after row ${t.row} ended`).toBeUndefined();
      out.tokens[t.row].push(t.token);
      const { row: _row, ...item } = t;
      out.items[t.row].push(item);
    }
    for (const f of step.finished) {
      expect(out.reasons[f.row], `row ${f.row} ended twice`).toBeUndefined();
      out.reasons[f.row] = f.reason;
    }
    onStep?.(step);
  }
  expect(out.reasons.filter(Boolean)).toHaveLength(rows);
  return out;
}

/** Four requests with different options: greedy, two seeded samplers with different settings, greedy + penalty + logprobs. */
const ROW_OPTIONS: RowGenerationOptions[] = [
  { maxNewTokens: 7 },
  { maxNewTokens: 9, doSample: true, temperature: 0.9, topK: 12, topP: 0.95, seed: 5 },
  { maxNewTokens: 4, temperature: 1.4, minP: 0.05, seed: 77, frequencyPenalty: 0.5, topLogprobs: 2 },
  { maxNewTokens: 6, repetitionPenalty: 1.3, presencePenalty: 0.2, logprobs: true },
];

describe('generateTokens with per-row options', () => {
  let backend: Backend;
  let model: ToyCausalLM;
  beforeEach(() => {
    backend = createReferenceBackend();
    model = createToyCausalLM(backend, VOCAB);
  });
  afterEach(() => backend.dispose());

  const alone = (r: number) => collect(generateTokens(model, { inputIds: [PROMPTS[r]] }, ROW_OPTIONS[r]), 1);

  it('gives every row exactly what it gives alone with its options (greedy and seeded sampling)', async () => {
    const batched = await collect(generateTokens(model, { inputIds: PROMPTS }, { padTokenId: 0, rowOptions: ROW_OPTIONS }), PROMPTS.length);
    expect(model.prompts[0].inputIds).toHaveLength(4); // one session for the four requests
    for (const r of PROMPTS.keys()) {
      const single = await alone(r);
      expect(batched.items[r], `row ${r}`).toEqual(single.items[0]);
      expect(batched.reasons[r]).toBe(single.reasons[0]);
    }
    expect(batched.tokens.map((t) => t.length)).toEqual([7, 9, 4, 6]);
    expect(batched.tokens[0]).toEqual(toyGreedy(model, PROMPTS[0], 7)); // greedy row against the host oracle
    expect(batched.items[2][0].topLogprobs).toHaveLength(2);
    expect(batched.items[0][0].logprob).toBeUndefined();
    expect(batched.items[3][0].logprob).toBeTypeOf('number');
  });

  it('stops stepping once every row ended: the longest row sets the number of forward passes', async () => {
    await collect(generateTokens(model, { inputIds: PROMPTS }, { rowOptions: ROW_OPTIONS }), PROMPTS.length);
    expect(model.calls).toBe(9); // prefill + 8 steps for the 9 tokens of row 1; no pass after the last token
  });

  it('aborts one row through its own signal and keeps the others going', async () => {
    const controller = new AbortController();
    const rowOptions = ROW_OPTIONS.map((options, r) => (r === 1 ? { ...options, signal: controller.signal } : options));
    const result = await collect(generateTokens(model, { inputIds: PROMPTS }, { rowOptions }), PROMPTS.length, (step) => {
      if (step.step === 2) controller.abort();
    });
    expect(model.calls).toBe(7); // prefill + 6 steps: row 0's 7 tokens set the length
    expect(result.reasons).toEqual(['length', 'abort', 'length', 'length']);
    expect(result.items[1]).toEqual((await alone(1)).items[0].slice(0, 3));
    for (const r of [0, 2, 3]) expect(result.items[r]).toEqual((await alone(r)).items[0]);
  });

  it('ends a row whose signal already fired without tokens; the batch signal still ends every row', async () => {
    const rowOptions = ROW_OPTIONS.map((options, r) => (r === 0 ? { ...options, signal: AbortSignal.abort() } : options));
    const result = await collect(generateTokens(model, { inputIds: PROMPTS }, { rowOptions }), PROMPTS.length);
    expect(result.reasons[0]).toBe('abort');
    expect(result.tokens[0]).toEqual([]);
    expect(result.items[1]).toEqual((await alone(1)).items[0]);

    const all = new AbortController();
    const calls = model.calls;
    const stopped = await collect(generateTokens(model, { inputIds: PROMPTS }, { rowOptions: ROW_OPTIONS, signal: all.signal }), PROMPTS.length, (step) => {
      if (step.step === 1) all.abort();
    });
    expect(stopped.reasons).toEqual(['abort', 'abort', 'abort', 'abort']);
    expect(stopped.tokens.map((t) => t.length)).toEqual([2, 2, 2, 2]);
    expect(model.calls - calls).toBe(2);
  });

  it('uses per-row EOS ids and maxNewTokens 0', async () => {
    const expected = toyGreedy(model, PROMPTS[0], 7);
    const eos = expected[3];
    const cut = expected.indexOf(eos);
    const result = await collect(
      generateTokens(
        model,
        { inputIds: [PROMPTS[0], PROMPTS[0], PROMPTS[1]] },
        { maxNewTokens: 7, rowOptions: [{ eosTokenIds: [eos] }, undefined, { maxNewTokens: 0 }] },
      ),
      3,
    );
    expect(result.tokens[0]).toEqual(expected.slice(0, cut));
    expect(result.reasons).toEqual(['stop', 'length', 'length']);
    expect(result.tokens[1]).toEqual(expected);
    expect(result.tokens[2]).toEqual([]);
  });

  it('checks every row’s options, naming the row', () => {
    const bad: Array<[GenerateTokensOptions, string]> = [
      [{ rowOptions: [{}, {}] }, 'rowOptions'],
      [{ rowOptions: [{}, { topP: 2 }, {}, {}] }, 'rowOptions[1].topP'],
      [{ rowOptions: [{}, {}, {}, { stop: [''] }] }, 'rowOptions[3].stop'],
    ];
    for (const [options, option] of bad) {
      let caught: unknown;
      try {
        generateTokens(model, { inputIds: PROMPTS }, options);
      } catch (error) {
        caught = error;
      }
      expect(InvalidGenerationOptionsError.isInstance(caught), option).toBe(true);
      expect((caught as InvalidGenerationOptionsError).option).toBe(option);
    }
  });
});

describe('streamText with per-row stop strings', () => {
  it('stops each row at its own stop strings', async () => {
    const backend = createReferenceBackend();
    try {
      const { tokenizer } = qwen3TestTokenizer();
      const imEnd = tokenizer.tokenToId('<|im_end|>')!;
      const texts = ['alpha beta. gamma', 'alpha beta. gamma', 'one two three four'];
      const model = createScriptedCausalLM(
        backend,
        tokenizer.vocabSize,
        texts.map((text) => [...tokenizer.encode(text), imEnd]),
      );
      const prompt = tokenizer.encode('<|im_start|>assistant\n');
      const results = await collectText(
        streamText(model, tokenizer, { inputIds: texts.map(() => prompt) }, { stop: 'gamma', rowOptions: [{ stop: '.' }, undefined, { maxNewTokens: 2 }] }),
      );
      expect(results.map((r) => r.text)).toEqual(['alpha beta', 'alpha beta. ', tokenizer.decode(tokenizer.encode(texts[2]).slice(0, 2))]);
      expect(results.map((r) => r.finishReason)).toEqual(['stop', 'stop', 'length']);
    } finally {
      backend.dispose();
    }
  });
});
