import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import type { ChatCompletionDelta, ChatCompletionRequest } from '../plugin/text-model-plugin-interface.js';
import { createReferenceBackend } from '../testing/index.js';
import { loadChatTemplate } from '../text/load-chat-template.js';
import { loadTokenizer } from '../text/load-tokenizer.js';
import { createToyCausalLM, type ToyCausalLM } from './__fixtures__/toy-causal-lm.js';
import { loadGenerationConfig } from './load-generation-config.js';
import { createTextModelRuntime, type TextModelRuntime } from './text-model-runtime.js';

const qwenDir = fileURLToPath(new URL('../__fixtures__/qwen3vl-tiny/', import.meta.url));

const collect = async (stream: AsyncIterable<ChatCompletionDelta>): Promise<ChatCompletionDelta[]> => {
  const deltas: ChatCompletionDelta[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
};
const textOf = (deltas: readonly ChatCompletionDelta[]) => deltas.map((d) => d.content ?? '').join('');

// The fixture's generation_config.json samples (temperature 0.7, top-k 20, top-p 0.8): seeds make the runs repeatable.
const GREEDY: ChatCompletionRequest = { messages: [{ role: 'user', content: 'Hello there' }], temperature: 0, maxNewTokens: 6 };
const SEEDED: ChatCompletionRequest = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Tell me a story' },
  ],
  seed: 3,
  maxNewTokens: 9,
};
const PENALISED: ChatCompletionRequest = {
  messages: [{ role: 'user', content: 'x' }],
  seed: 11,
  temperature: 1.2,
  topK: 50,
  frequencyPenalty: 0.4,
  maxNewTokens: 4,
  logprobs: true,
  topLogprobs: 2,
};

describe('createTextModelRuntime().streamBatch on a toy model with the Qwen3-VL fixture tokenizer', () => {
  let backend: Backend;
  let model: ToyCausalLM;
  let runtime: TextModelRuntime;
  beforeAll(async () => {
    backend = createReferenceBackend();
    model = createToyCausalLM(backend, 1024, 7);
    runtime = createTextModelRuntime({
      model,
      tokenizer: await loadTokenizer(qwenDir),
      chatTemplate: await loadChatTemplate(qwenDir),
      generationDefaults: await loadGenerationConfig(qwenDir),
    });
  });
  afterAll(() => {
    model.dispose();
    backend.dispose();
  });

  it('runs chat and text requests in one batch, each stream equal to the request run alone', async () => {
    const textOptions = { chat: false, seed: 5, maxNewTokens: 5, logprobs: true, topLogprobs: 1 };
    const alone = [
      await collect(runtime.streamChatCompletion(GREEDY)),
      await collect(runtime.streamChatCompletion(SEEDED)),
      await collect(runtime.streamChatCompletion(PENALISED)),
    ];
    const aloneText = await runtime.generateText('Once upon a time', textOptions);
    const sessions = model.prompts.length;

    const streams = runtime.streamBatch([
      { kind: 'chat', request: GREEDY },
      { kind: 'chat', request: SEEDED },
      { kind: 'text', prompt: 'Once upon a time', options: textOptions },
      { kind: 'chat', request: PENALISED },
    ]);
    const [greedy, seeded, text, penalised] = await Promise.all(streams.map(collect));

    expect(model.prompts.length - sessions).toBe(1); // one session, four rows
    expect(model.prompts.at(-1)!.inputIds).toHaveLength(4);
    expect(greedy).toEqual(alone[0]);
    expect(seeded).toEqual(alone[1]);
    expect(penalised).toEqual(alone[2]);
    expect(penalised.some((d) => d.logprobs?.[0].top?.length === 2)).toBe(true);
    expect(textOf(text)).toBe(aloneText.text);
    expect(text.flatMap((d) => d.logprobs ?? [])).toEqual(aloneText.logprobs);
    expect(text.at(-1)).toMatchObject({ finishReason: aloneText.finishReason, usage: aloneText.usage });
    expect(textOf(greedy).length).toBeGreaterThan(0);
    expect(textOf(seeded)).not.toBe(textOf(greedy));
  });

  it('applies each request’s own stop strings', async () => {
    const full = textOf(await collect(runtime.streamChatCompletion(GREEDY)));
    const stop = full.slice(2, 4);
    expect(stop.length).toBe(2);
    const [stopped, other] = await Promise.all(
      runtime
        .streamBatch([
          { kind: 'chat', request: { ...GREEDY, stop } },
          { kind: 'chat', request: GREEDY },
        ])
        .map(collect),
    );
    expect(textOf(stopped)).toBe(full.slice(0, full.indexOf(stop)));
    expect(stopped.at(-1)!.finishReason).toBe('stop');
    expect(textOf(other)).toBe(full);
  });

  it('fails only the request that cannot be prepared', async () => {
    const image: ChatCompletionRequest = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image: new Uint8Array([1, 2]) },
            { type: 'text', text: 'what?' },
          ],
        },
      ],
    };
    const streams = runtime.streamBatch([
      { kind: 'chat', request: image },
      { kind: 'chat', request: GREEDY },
      { kind: 'chat', request: { ...GREEDY, topP: 3 } },
    ]);
    const results = await Promise.allSettled(streams.map(collect));
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'PIO_UNSUPPORTED_INPUT' } });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: { code: 'PIO_INVALID_GENERATION_OPTIONS', option: 'topP' } });
    expect(results[1]).toEqual({ status: 'fulfilled', value: await collect(runtime.streamChatCompletion(GREEDY)) });
  });

  it('ends a row alone when its signal fires or its reader stops; the other rows finish as alone', async () => {
    const expected = await collect(runtime.streamChatCompletion(SEEDED));
    const controller = new AbortController();
    const calls = model.calls;
    const long = { ...GREEDY, maxNewTokens: 40 };
    const streams = runtime.streamBatch([
      { kind: 'chat', request: { ...long, signal: controller.signal } },
      { kind: 'chat', request: SEEDED },
      { kind: 'chat', request: long },
    ]);
    const aborted = (async () => {
      const deltas: ChatCompletionDelta[] = [];
      for await (const delta of streams[0]) {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort();
      }
      return deltas;
    })();
    const reader = (async () => {
      for await (const _delta of streams[2]) break; // the reader leaves after one delta
    })();
    const [abortedDeltas, seeded] = await Promise.all([aborted, collect(streams[1]), reader]);
    expect(abortedDeltas.at(-1)!.finishReason).toBe('abort');
    expect(abortedDeltas.at(-1)!.usage!.completionTokens).toBeLessThan(40);
    expect(seeded).toEqual(expected);
    expect(model.calls - calls).toBeLessThanOrEqual(SEEDED.maxNewTokens!); // neither 40-token row ran to its limit
  });
});
