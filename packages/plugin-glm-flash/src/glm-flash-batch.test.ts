import type { BatchGenerationRequest, ChatCompletionDelta, ChatCompletionRequest } from '@pio/core';
import { openTestPlugin } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGlmFlashPlugin, type GlmFlashPlugin } from './glm-flash-plugin.js';
import { GlmFlashModel } from './model.js';
import { fixtureDir } from './testing/golden-fixture.js';

const collect = async (stream: AsyncIterable<ChatCompletionDelta>): Promise<ChatCompletionDelta[]> => {
  const deltas: ChatCompletionDelta[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
};

const REQUESTS: ChatCompletionRequest[] = [
  { messages: [{ role: 'user', content: 'What is the capital of France?' }], temperature: 0, maxNewTokens: 6 },
  { messages: [{ role: 'user', content: 'Hi' }], enableThinking: false, temperature: 0.9, seed: 4, maxNewTokens: 8 },
  {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name three colours, please.' },
    ],
    temperature: 1.1,
    topK: 30,
    seed: 9,
    maxNewTokens: 5,
  },
];

describe('GlmFlashPlugin.streamBatch on the tiny fixture (reference backend)', () => {
  let plugin: GlmFlashPlugin;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ plugin, close } = await openTestPlugin(createGlmFlashPlugin, fixtureDir('glm47flash-tiny')));
  });
  afterAll(() => close());

  it('gives each request of a batch what it gives alone (greedy and seeded sampling, with reasoning parsing)', async () => {
    const alone: ChatCompletionDelta[][] = [];
    for (const request of REQUESTS) alone.push(await collect(plugin.streamChatCompletion(request)));
    const text = await plugin.generateText('Once upon a time', { chat: false, temperature: 0, maxNewTokens: 4 });
    const batch: BatchGenerationRequest[] = [
      ...REQUESTS.map((request) => ({ kind: 'chat' as const, request })),
      { kind: 'text', prompt: 'Once upon a time', options: { chat: false, temperature: 0, maxNewTokens: 4 } },
    ];
    const sessions = vi.spyOn(GlmFlashModel.prototype, 'createSession');
    const results = await Promise.all(plugin.streamBatch(batch).map(collect));
    expect(sessions.mock.calls.map(([prompt]) => prompt.inputIds.length)).toEqual([4]); // one session, four rows
    sessions.mockRestore();
    results.forEach((deltas) => expect(deltas.at(-1)!.usage!.completionTokens).toBeGreaterThan(1));
    REQUESTS.forEach((_, i) => expect(results[i], `request ${i}`).toEqual(alone[i]));
    expect(results[3].map((d) => d.content ?? '').join('')).toBe(text.text);
    expect(results[3].at(-1)).toMatchObject({ finishReason: text.finishReason, usage: text.usage });
  });
});
