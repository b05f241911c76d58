import { createGgmlBackend } from '@pio/backend-ggml';
import type { ChatCompletionDelta, ChatCompletionRequest, ToolDefinition } from '@pio/core';
import { openTestPlugin, sampleToolCalls } from '@pio/core/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLPlugin } from './qwen3-vl-plugin.js';
import { FIXTURE_DIR } from './testing/golden.js';

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);

const SCHEMAS: Record<string, Record<string, unknown>> = {
  person: {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer', minimum: 0, maximum: 120 }, email: { type: 'string', format: 'email' } },
    required: ['name', 'age'],
    additionalProperties: false,
  },
  order: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      items: {
        type: 'array',
        minItems: 1,
        maxItems: 3,
        items: {
          type: 'object',
          properties: { sku: { enum: ['A1', 'B2', 'C3'] }, qty: { type: 'integer', minimum: 1, maximum: 9 } },
          required: ['sku', 'qty'],
        },
      },
      paid: { type: 'boolean' },
      note: { type: ['string', 'null'], maxLength: 8 },
    },
    required: ['id', 'items', 'paid'],
  },
  tree: {
    $defs: {
      node: {
        type: 'object',
        properties: { v: { type: 'number', minimum: -1, maximum: 1 }, kids: { type: 'array', items: { $ref: '#/$defs/node' }, maxItems: 2 } },
        required: ['v'],
      },
    },
    $ref: '#/$defs/node',
  },
};

const WEATHER: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'] },
  },
};
const TIME: ToolDefinition = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string', maxLength: 8 } }, required: ['zone'] } },
};

const ask = (schema: Record<string, unknown>, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  messages: [{ role: 'user', content: 'Reply with JSON.' }],
  responseFormat: { type: 'json_schema', schema, strict: true },
  maxNewTokens: 400,
  ...extra,
});

const expectValid = (schema: Record<string, unknown>, text: string) => {
  const validate = ajv.compile(schema);
  expect(validate(JSON.parse(text)), `${text}\n${JSON.stringify(validate.errors)}`).toBe(true);
};

describe('structured output on the random-weight Qwen3-VL fixture (ggml)', () => {
  let plugin: Qwen3VLPlugin;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ plugin, close } = await openTestPlugin(createQwen3VLPlugin, FIXTURE_DIR, { backend: () => createGgmlBackend({ threads: 2 }) }));
  });
  afterAll(() => close());

  it('a batch of two schemas and a forced tool call, sampled: valid outputs', async () => {
    const [person, tree] = plugin.streamBatch([
      { kind: 'chat', request: ask(SCHEMAS.person, { seed: 4, temperature: 1 }) },
      { kind: 'chat', request: ask(SCHEMAS.tree, { seed: 5, temperature: 1 }) },
    ]);
    const read = async (stream: AsyncIterable<ChatCompletionDelta>) => {
      let text = '';
      for await (const delta of stream) text += delta.content ?? '';
      return text;
    };
    const [a, b] = await Promise.all([read(person), read(tree)]);
    expectValid(SCHEMAS.person, a);
    expectValid(SCHEMAS.tree, b);
    const call = await plugin.chatCompletion({
      messages: [{ role: 'user', content: 'Time?' }],
      tools: [WEATHER, TIME],
      toolChoice: { name: 'get_time' },
      seed: 1,
      temperature: 1,
      maxNewTokens: 200,
    });
    expect(call.finishReason).toBe('tool_calls');
    expectValid(TIME.function.parameters!, call.message.tool_calls![0].function.arguments);
  }, 600_000);
});

{
  describe('structured output on the random-weight Qwen3-VL fixture (reference backend)', () => {
    let plugin: Qwen3VLPlugin;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ plugin, close } = await openTestPlugin(createQwen3VLPlugin, FIXTURE_DIR));
    });
    afterAll(() => close());

    it('unconstrained output of the fixture is not JSON (so validity below comes from the constraint)', async () => {
      const free = await plugin.chatCompletion({ messages: [{ role: 'user', content: 'Reply with JSON.' }], temperature: 0, maxNewTokens: 30 });
      expect(() => JSON.parse(free.message.content ?? '')).toThrow();
    });

    it('json_schema: every output parses and validates, greedy and sampled with several seeds', async () => {
      for (const [name, schema] of Object.entries(SCHEMAS)) {
        for (const options of [
          { temperature: 0 },
          { temperature: 1, seed: 1 },
          { temperature: 1.2, seed: 7, topP: 0.95 },
          { temperature: 0.8, seed: 42, topK: 50 },
        ]) {
          const result = await plugin.chatCompletion(ask(schema, options));
          expect(result.finishReason, `${name} ${JSON.stringify(options)}: ${result.message.content}`).toBe('stop');
          expectValid(schema, result.message.content!);
        }
      }
    });

    it('json_object through generateText gives a JSON object', async () => {
      for (const seed of [1, 2, 3]) {
        const result = await plugin.generateText('Describe a cat.', { responseFormat: { type: 'json_object' }, seed, temperature: 1, maxNewTokens: 400 });
        if (result.finishReason === 'length') continue; // free-form strings may run past the limit
        const value = JSON.parse(result.text);
        expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
      }
    });

    it('streams: the concatenated deltas are the valid JSON', async () => {
      let text = '';
      let finish: string | undefined;
      let deltas = 0;
      for await (const delta of plugin.streamChatCompletion(ask(SCHEMAS.order, { seed: 3, temperature: 1 }))) {
        text += delta.content ?? '';
        finish = delta.finishReason ?? finish;
        deltas++;
      }
      expect(deltas).toBeGreaterThan(3);
      expect(finish).toBe('stop');
      expectValid(SCHEMAS.order, text);
    });

    it('batches requests with a different schema per row (and one unconstrained)', async () => {
      const names = Object.keys(SCHEMAS);
      const requests = [
        ...names.map((name, i) => ({ kind: 'chat' as const, request: ask(SCHEMAS[name], { seed: i, temperature: 1 }) })),
        { kind: 'chat' as const, request: { messages: [{ role: 'user' as const, content: 'Hi' }], maxNewTokens: 5, temperature: 0 } },
      ];
      const streams = plugin.streamBatch(requests);
      const texts = await Promise.all(
        streams.map(async (stream) => {
          let text = '';
          let finish: string | undefined;
          for await (const delta of stream as AsyncIterable<ChatCompletionDelta>) {
            text += delta.content ?? '';
            finish = delta.finishReason ?? finish;
          }
          return { text, finish };
        }),
      );
      names.forEach((name, i) => {
        expect(texts[i].finish).toBe('stop');
        expectValid(SCHEMAS[name], texts[i].text);
      });
      expect(texts[names.length].finish).toBe('length');
    });

    it('toolChoice required / named always yields one tool call with valid arguments', async () => {
      for (const [toolChoice, allowed] of [
        ['required', ['get_weather', 'get_time']],
        [{ name: 'get_time' }, ['get_time']],
      ] as const) {
        const request = {
          messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
          tools: [WEATHER, TIME],
          toolChoice,
          temperature: 1,
          maxNewTokens: 300,
        };
        for (const call of await sampleToolCalls(plugin, request, [{ seed: 1 }, { seed: 2 }, { seed: 3 }])) {
          expect(allowed).toContain(call.name);
          expectValid(call.parameters, call.arguments);
        }
      }
    });

    it('refuses what it cannot enforce with typed errors', async () => {
      await expect(plugin.chatCompletion(ask({ type: 'string', pattern: 'a+' }))).rejects.toMatchObject({ code: 'PIO_UNSUPPORTED_SCHEMA', keyword: 'pattern' });
      await expect(plugin.chatCompletion({ messages: [{ role: 'user', content: 'x' }], tools: [WEATHER], toolChoice: { name: 'nope' } })).rejects.toMatchObject(
        { code: 'PIO_INVALID_GENERATION_OPTIONS', option: 'toolChoice' },
      );
    });
  });
}
