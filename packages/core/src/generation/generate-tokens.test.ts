import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
import { ModelOutputError } from '../errors/model-output-error.js';
import { UnsupportedSchemaError } from '../errors/unsupported-schema-error.js';
import type { FinishReason } from '../plugin/generation-options.js';
import { createReferenceBackend } from '../testing/index.js';
import { createToyCausalLM, toyGreedy, toyLogits, type ToyCausalLM } from './__fixtures__/toy-causal-lm.js';
import { generateTokens } from './generate-tokens.js';
import type { GenerateTokensOptions, GenerationStep, RowToken, TokenGeneration } from './generation-step.js';

const VOCAB = 32;
const PROMPTS = [[3, 9, 4, 1, 5], [7], [2, 6, 2]];

interface Collected {
  steps: GenerationStep[];
  tokens: number[][];
  items: RowToken[][];
  reasons: FinishReason[];
  stopTokens: Array<number | undefined>;
}

async function collect(generation: TokenGeneration, rows: number, onStep?: (step: GenerationStep) => void): Promise<Collected> {
  const out: Collected = { steps: [], tokens: [], items: [], reasons: [], stopTokens: [] };
  for (let r = 0; r < rows; r++) (out.tokens[r] = []), (out.items[r] = []);
  const finished = new Set<number>();
  for await (const step of generation) {
    out.steps.push(step);
    for (const t of step.tokens) {
      expect(finished.has(t.row), `token after row ${t.row} finished`).toBe(false);
      out.tokens[t.row].push(t.token);
      out.items[t.row].push(t);
    }
    for (const f of step.finished) {
      expect(finished.has(f.row), `row ${f.row} finished twice`).toBe(false);
      finished.add(f.row);
      out.reasons[f.row] = f.reason;
      out.stopTokens[f.row] = f.stopToken;
    }
    onStep?.(step);
  }
  expect(finished.size, 'every row is reported finished').toBe(rows);
  return out;
}

describe('generateTokens on the reference backend', () => {
  let backend: Backend;
  let model: ToyCausalLM;
  beforeEach(() => {
    backend = createReferenceBackend();
    model = createToyCausalLM(backend, VOCAB);
  });
  afterEach(() => backend.dispose());

  const run = (options: GenerateTokensOptions, prompts = PROMPTS) => collect(generateTokens(model, { inputIds: prompts }, options), prompts.length);

  it('greedy decoding equals the host argmax of the model, on a left-padded batch', async () => {
    const result = await run({ maxNewTokens: 8, padTokenId: 7 });
    PROMPTS.forEach((prompt, r) => expect(result.tokens[r]).toEqual(toyGreedy(model, prompt, 8)));
    expect(result.reasons).toEqual(['length', 'length', 'length']);
    expect(model.prompts[0]).toEqual({
      inputIds: [
        [3, 9, 4, 1, 5],
        [7, 7, 7, 7, 7],
        [7, 7, 2, 6, 2],
      ],
      attentionMask: [
        [1, 1, 1, 1, 1],
        [0, 0, 0, 0, 1],
        [0, 0, 1, 1, 1],
      ],
    });
    expect(model.calls).toBe(8); // prefill + 7 steps: no forward pass after the last token
  });

  it('gives each row of a padded batch what it gives alone (greedy and seeded sampling)', async () => {
    for (const options of [{ maxNewTokens: 6 }, { maxNewTokens: 6, doSample: true, temperature: 0.9, topK: 12, topP: 0.95, seed: 5 }]) {
      const batched = await run(options);
      for (const [r, prompt] of PROMPTS.entries()) {
        const alone = await run(options, [prompt]);
        expect(batched.tokens[r]).toEqual(alone.tokens[0]);
      }
    }
  });

  it('samples deterministically for a seed, and differently for another seed', async () => {
    const options = { maxNewTokens: 20, temperature: 1.5, seed: 11 };
    const a = await run(options);
    const b = await run(options);
    const c = await run({ ...options, seed: 12 });
    expect(a.tokens).toEqual(b.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
    expect(a.tokens).not.toEqual(PROMPTS.map((p) => toyGreedy(model, p, 20))); // it does sample
  });

  it('stops a row at an EOS token, which is not reported as a token', async () => {
    const expected = toyGreedy(model, PROMPTS[0], 12);
    const at = expected.findIndex((t, i) => i >= 2 && !expected.slice(0, i).includes(t));
    const eos = expected[at];
    const result = await run({ maxNewTokens: 12, eosTokenIds: [eos] }, [PROMPTS[0]]);
    expect(result.tokens[0]).toEqual(expected.slice(0, at));
    expect(result.reasons[0]).toBe('stop');
    expect(result.stopTokens[0]).toBe(eos);
  });

  it('ends rows at maxNewTokens, and at once for 0', async () => {
    const result = await run({ maxNewTokens: 3 });
    expect(result.tokens.map((t) => t.length)).toEqual([3, 3, 3]);
    expect(result.reasons).toEqual(['length', 'length', 'length']);
    const none = await run({ maxNewTokens: 0 });
    expect(none.tokens).toEqual([[], [], []]);
    expect(none.reasons).toEqual(['length', 'length', 'length']);
    expect(model.calls).toBe(3);
  });

  it('aborts between steps, and discards logits computed after the abort', async () => {
    const controller = new AbortController();
    const result = await collect(generateTokens(model, { inputIds: PROMPTS }, { maxNewTokens: 50, signal: controller.signal }), 3, (step) => {
      if (step.step === 2) controller.abort();
    });
    expect(result.tokens.map((t) => t.length)).toEqual([3, 3, 3]);
    expect(result.reasons).toEqual(['abort', 'abort', 'abort']);
    expect(model.calls).toBe(3);

    const during = new AbortController();
    model.calls = 0;
    model.onCall = (call) => call === 4 && during.abort(); // during the 4th forward pass: 3 tokens were kept
    const second = await run({ maxNewTokens: 50, signal: during.signal });
    expect(second.tokens.map((t) => t.length)).toEqual([3, 3, 3]);
    expect(second.reasons).toEqual(['abort', 'abort', 'abort']);
  });

  it('aborts before starting without running the model', async () => {
    const result = await run({ signal: AbortSignal.abort() });
    expect(result.reasons).toEqual(['abort', 'abort', 'abort']);
    expect(result.tokens).toEqual([[], [], []]);
    expect(model.calls).toBe(0);
    expect(model.prompts).toEqual([]);
  });

  it('ends a row on stopRow and keeps the others going', async () => {
    const generation = generateTokens(model, { inputIds: PROMPTS }, { maxNewTokens: 5 });
    const result = await collect(generation, 3, (step) => {
      if (step.step === 1) generation.stopRow(0);
    });
    expect(result.tokens.map((t) => t.length)).toEqual([2, 5, 5]);
    expect(result.reasons).toEqual(['stop', 'length', 'length']);
    expect(result.steps[2].finished).toEqual([{ row: 0, reason: 'stop' }]);
  });

  it('reports log-probabilities of the raw distribution at the sampling temperature', async () => {
    const greedy = await run({ maxNewTokens: 3, topLogprobs: 3 }, [PROMPTS[0]]);
    const sampled = await run({ maxNewTokens: 3, temperature: 0.5, topK: 3, seed: 1, logprobs: true }, [PROMPTS[0]]);
    for (const [result, temperature] of [
      [greedy, 1],
      [sampled, 0.5],
    ] as const) {
      const history = [...PROMPTS[0]];
      for (const item of result.items[0]) {
        const scaled = Array.from(toyLogits(model, history), (x) => Math.fround(x) / temperature);
        const max = Math.max(...scaled);
        const logZ = max + Math.log(scaled.reduce((s, x) => s + Math.exp(x - max), 0));
        expect(item.logprob).toBeCloseTo(scaled[item.token] - logZ, 5);
        if (temperature === 1) {
          const order = Array.from(scaled.keys())
            .sort((a, b) => scaled[b] - scaled[a])
            .slice(0, 3);
          expect(item.topLogprobs!.map((t) => t.token)).toEqual(order);
          item.topLogprobs!.forEach((t) => expect(t.logprob).toBeCloseTo(scaled[t.token] - logZ, 5));
        } else expect(item.topLogprobs).toBeUndefined();
        history.push(item.token);
      }
    }
  });

  it('applies the repetition penalty in greedy decoding', async () => {
    const result = await run({ maxNewTokens: 10, repetitionPenalty: 1e6 }, [PROMPTS[0]]);
    const all = [...PROMPTS[0], ...result.tokens[0]];
    expect(new Set(all).size).toBe(all.length);
  });

  it('leaks no tensors: full runs, early break, abort', async () => {
    const before = backend.memory().tensors;
    await run({ maxNewTokens: 6, temperature: 0.8, seed: 2, topLogprobs: 2 });
    expect(backend.memory().tensors).toBe(before);
    for await (const step of generateTokens(model, { inputIds: PROMPTS }, { maxNewTokens: 6 })) if (step.step === 1) break;
    expect(backend.memory().tensors).toBe(before);
    const controller = new AbortController();
    model.onCall = (call) => call === 2 && controller.abort();
    await run({ maxNewTokens: 6, signal: controller.signal });
    expect(backend.memory().tensors).toBe(before);
  });

  it('rejects logits of the wrong shape with ModelOutputError, freeing them', async () => {
    const liar = { ...model, vocabSize: VOCAB - 1 };
    const before = backend.memory().tensors;
    const error = await collect(generateTokens(liar, { inputIds: [[1]] }), 1).catch((e: unknown) => e);
    expect(ModelOutputError.isInstance(error)).toBe(true);
    expect((error as ModelOutputError).actualShape).toEqual([1, VOCAB]);
    expect(backend.memory().tensors).toBe(before);
  });

  it('a constraint that lets no token (nor EOS) come next ends with UnsupportedSchemaError and frees the session', async () => {
    let steps = 0;
    const constraint = {
      name: 'impossible',
      start: () => ({
        finished: false,
        mask: (logits: Float32Array) => void (++steps > 2 && logits.fill(Number.NEGATIVE_INFINITY)), // dead end at the third token
        accept: () => undefined,
      }),
    };
    const before = backend.memory().tensors;
    for (const sampling of [{ temperature: 0 }, { temperature: 1, seed: 3 }]) {
      steps = 0;
      const error = await run({ maxNewTokens: 8, eosTokenIds: [0], constraint, ...sampling }, [[3, 9]]).catch((e: unknown) => e);
      expect(UnsupportedSchemaError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toContain('after 2 generated token(s)');
    }
    expect(backend.memory().tensors).toBe(before);
  });

  it('checks prompts and options before running', () => {
    const bad: Array<[unknown, GenerateTokensOptions, string]> = [
      [[], {}, 'inputIds'],
      [[[1], []], {}, 'inputIds[1]'],
      [[[1, VOCAB]], {}, 'inputIds[0][1]'],
      [[[1]], { topP: 1.5 }, 'topP'],
      [[[1]], { temperature: -1 }, 'temperature'],
      [[[1]], { topK: 2.5 }, 'topK'],
      [[[1]], { maxNewTokens: -1 }, 'maxNewTokens'],
      [[[1]], { stop: ['ok', ''] }, 'stop'],
      [[[1], [1, 2]], { padTokenId: VOCAB }, 'padTokenId'], // the pad id is looked up in the embedding table too
    ];
    for (const [inputIds, options, option] of bad) {
      let caught: unknown;
      try {
        generateTokens(model, { inputIds: inputIds as number[][] }, options);
      } catch (error) {
        caught = error;
      }
      expect(InvalidGenerationOptionsError.isInstance(caught), option).toBe(true);
      expect((caught as InvalidGenerationOptionsError).option).toBe(option);
    }
    expect(model.calls).toBe(0);
  });
});
