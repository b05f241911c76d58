import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createPluginManager } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { createQwen3VLPlugin } from '@pio/plugin-qwen3-vl';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { generateObject, jsonSchema, streamObject } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/run-pio.js';
import { createManagerHost } from '../host/create-manager-host.js';
import type { ModelHost } from '../host/model-host.js';
import { createServer, type PioServer } from './create-server.js';

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
const FIXTURE = join(REPO_ROOT, 'packages', 'plugin-qwen3-vl', 'src', '__fixtures__', 'qwen3vl-tiny');

const RECIPE = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 20 },
    servings: { type: 'integer', minimum: 1, maximum: 12 },
    tags: { type: 'array', items: { enum: ['quick', 'vegan', 'spicy'] }, maxItems: 3 },
    created: { type: 'string', format: 'date' },
  },
  required: ['title', 'servings', 'tags'],
  additionalProperties: false,
};
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 16 }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['city'],
    },
  },
};
const expectValid = (schema: object, value: unknown) => {
  const validate = ajv.compile(schema);
  expect(validate(value), `${JSON.stringify(value)}\n${JSON.stringify(validate.errors)}`).toBe(true);
};

describe('structured output through pio serve (in process, random-weight Qwen3-VL fixture)', () => {
  let server: PioServer;
  let host: ModelHost;
  let client: OpenAI;
  let url: string;
  const backend = createReferenceBackend();
  beforeAll(async () => {
    // `pio serve`'s host over a real PluginManager, the plugin registered from source and its model activated from
    // the fixture folder.
    const manager = createPluginManager({ backend, allowedRoots: [FIXTURE], cwd: FIXTURE, searchPaths: [] });
    await manager.registerPlugin(createQwen3VLPlugin());
    host = createManagerHost({ manager });
    await host.registerModel({ modelId: 'qwen', source: FIXTURE, pluginId: 'qwen3-vl' });
    server = createServer({ host });
    url = (await server.listen(0, '127.0.0.1')).url;
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await host.close();
  });

  it('openai client: response_format json_schema (strict) gives valid JSON, streamed or not', async () => {
    for (const seed of [1, 2]) {
      const completion = await client.chat.completions.create({
        model: 'qwen',
        messages: [{ role: 'user', content: 'A recipe, as JSON.' }],
        response_format: { type: 'json_schema', json_schema: { name: 'recipe', schema: RECIPE, strict: true } },
        temperature: 1,
        seed,
        max_tokens: 300,
      });
      expect(completion.choices[0].finish_reason).toBe('stop');
      expectValid(RECIPE, JSON.parse(completion.choices[0].message.content!));
    }
    let text = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'qwen',
      messages: [{ role: 'user', content: 'A recipe, as JSON.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'recipe', schema: RECIPE, strict: true } },
      stream: true,
      temperature: 0,
      max_tokens: 300,
    })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expectValid(RECIPE, JSON.parse(text));
  });

  it('openai client: response_format json_object gives a JSON object', async () => {
    const completion = await client.chat.completions.create({
      model: 'qwen',
      messages: [{ role: 'user', content: 'JSON please.' }],
      response_format: { type: 'json_object' },
      temperature: 0,
      max_tokens: 300,
    });
    if (completion.choices[0].finish_reason === 'stop') expect(JSON.parse(completion.choices[0].message.content!)).toBeTypeOf('object');
    else expect(completion.choices[0].message.content!.startsWith('{')).toBe(true);
  });

  it('tool_choice required and named always give a tool call with valid arguments', async () => {
    for (const tool_choice of ['required', { type: 'function', function: { name: 'get_weather' } }] as const) {
      const completion = await client.chat.completions.create({
        model: 'qwen',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [WEATHER],
        tool_choice,
        temperature: 1,
        seed: 5,
        max_tokens: 200,
      });
      const choice = completion.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.function.name).toBe('get_weather');
      expectValid(WEATHER.function.parameters, JSON.parse(call.function.arguments));
    }
  });

  it('answers 400 naming the field for what cannot be enforced', async () => {
    const fail = async (body: Record<string, unknown>) => {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'qwen', messages: [{ role: 'user', content: 'x' }], ...body }),
      });
      return { status: response.status, error: ((await response.json()) as { error: { param: string; message: string } }).error };
    };
    const pattern = await fail({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'string', pattern: 'a+' } } } });
    expect(pattern.status).toBe(400);
    expect(pattern.error.param).toBe('response_format.json_schema.schema');
    expect(pattern.error.message).toContain('"pattern"');
    const unknownTool = await fail({ tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } });
    expect(unknownTool).toMatchObject({ status: 400, error: { param: 'tool_choice' } });
    const noTools = await fail({ tool_choice: 'required' });
    expect(noTools).toMatchObject({ status: 400, error: { param: 'tool_choice' } });
    const badParams = await fail({
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { n: { type: 'number', multipleOf: 3 } } } } }],
      tool_choice: 'required',
    });
    expect(badParams).toMatchObject({ status: 400, error: { param: 'tools[0].function.parameters' } });
    const badType = await fail({ response_format: { type: 'xml' } });
    expect(badType.status).toBe(400);
  });

  it('AI SDK generateObject and streamObject return valid objects', async () => {
    const provider = createOpenAICompatible({ name: 'pio', baseURL: `${url}/v1`, supportsStructuredOutputs: true });
    const model = provider.chatModel('qwen');
    const { object } = await generateObject({ model, schema: jsonSchema(RECIPE), prompt: 'A recipe.', temperature: 0, maxOutputTokens: 300 });
    expectValid(RECIPE, object);
    const stream = streamObject({ model, schema: jsonSchema(RECIPE), prompt: 'A recipe.', temperature: 1, seed: 3, maxOutputTokens: 300 });
    let partials = 0;
    for await (const _ of stream.partialObjectStream) partials++;
    expect(partials).toBeGreaterThan(0);
    expectValid(RECIPE, await stream.object);
  });
});
