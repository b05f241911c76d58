import type { ToolDefinition } from '@pio/core';
import { openTestPlugin, sampleToolCalls } from '@pio/core/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGlmFlashPlugin, type GlmFlashPlugin } from './glm-flash-plugin.js';
import { fixtureDir } from './testing/golden-fixture.js';

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);

const SEARCH: ToolDefinition = {
  type: 'function',
  function: {
    name: 'search',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', maxLength: 20 },
        limit: { type: 'integer', minimum: 1, maximum: 10 },
        lang: { enum: ['en', 'fr'] },
        exact: { type: 'boolean' },
      },
      required: ['query', 'limit'],
    },
  },
};
const CLOCK: ToolDefinition = {
  type: 'function',
  function: { name: 'clock', parameters: { type: 'object', properties: { zone: { type: 'string', format: 'date' } }, required: ['zone'] } },
};
const EVENT = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 16 },
    day: { type: 'string', format: 'date' },
    guests: { type: 'array', items: { type: 'string', maxLength: 8 }, maxItems: 3 },
  },
  required: ['title', 'day', 'guests'],
};

describe('structured output on the random-weight GLM-4.7-Flash fixture (reference backend)', () => {
  let plugin: GlmFlashPlugin;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ plugin, close } = await openTestPlugin(createGlmFlashPlugin, fixtureDir('glm47flash-tiny')));
  });
  afterAll(() => close());

  it('json_schema answers validate, thinking off, greedy and sampled', async () => {
    const validate = ajv.compile(EVENT);
    for (const options of [{ temperature: 0 }, { temperature: 1, seed: 2 }, { temperature: 1, seed: 9, topK: 40 }]) {
      const result = await plugin.chatCompletion({
        messages: [{ role: 'user', content: 'Plan an event.' }],
        enableThinking: false,
        responseFormat: { type: 'json_schema', schema: EVENT },
        maxNewTokens: 300,
        ...options,
      });
      expect(result.finishReason).toBe('stop');
      const value = JSON.parse(result.message.content!);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("toolChoice required / named: one call in GLM's format with valid arguments, thinking on or off", async () => {
    for (const [toolChoice, names] of [
      ['required', ['search', 'clock']],
      [{ name: 'search' }, ['search']],
    ] as const) {
      const request = { messages: [{ role: 'user' as const, content: 'Find cats.' }], tools: [SEARCH, CLOCK], toolChoice, temperature: 1, maxNewTokens: 300 };
      const variants = [
        { seed: 1, enableThinking: true },
        { seed: 2, enableThinking: false },
        { seed: 3, enableThinking: true },
      ];
      for (const call of await sampleToolCalls(plugin, request, variants)) {
        expect(names).toContain(call.name);
        const validate = ajv.compile(call.parameters);
        expect(validate(JSON.parse(call.arguments)), `${call.arguments} ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });

  it("toolChoice 'none' leaves the tools out of the prompt", async () => {
    const withTools = await plugin.chatCompletion({ messages: [{ role: 'user', content: 'Hi' }], tools: [SEARCH], temperature: 0, maxNewTokens: 1 });
    const none = await plugin.chatCompletion({
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [SEARCH],
      toolChoice: 'none',
      temperature: 0,
      maxNewTokens: 1,
    });
    const without = await plugin.chatCompletion({ messages: [{ role: 'user', content: 'Hi' }], temperature: 0, maxNewTokens: 1 });
    expect(none.usage.promptTokens).toBe(without.usage.promptTokens);
    expect(withTools.usage.promptTokens).toBeGreaterThan(without.usage.promptTokens);
  });
});
