import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend, ChatCompletionDelta, ChatMessage, ToolDefinition } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { loadTextModelRuntime } from '@pio/core/plugin-kit';
import { loadTokenizer, type Tokenizer } from '@pio/core/text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLM_TEXT_HOOKS } from './glm-text-hooks.js';
import { fixtureDir } from './testing/golden-fixture.js';
import { ScriptedModel } from './testing/scripted-model.js';

const dir = fixtureDir('glm47flash-tiny');
const USER = 1007; // <|user|>, an EOS id of GLM-4.7
const OBSERVATION = 1009; // <|observation|>

interface ChatCase {
  name: string;
  messages: ChatMessage[];
  options: { enable_thinking?: boolean; tools?: ToolDefinition[] };
  input_ids: number[];
}

describe('GLM chat surface (scripted model outputs, real tokenizer and template)', () => {
  let backend: Backend;
  let tokenizer: Tokenizer;
  let cases: ChatCase[];

  const surfaceFor = async (reply: string, eos: number) => {
    const model = new ScriptedModel(backend, 1024, [...tokenizer.encode(reply), eos], { eosTokenIds: [1000, USER, OBSERVATION], padTokenId: 1000 });
    return { model, surface: await loadTextModelRuntime({ model, modelDir: dir, generationDefaults: model.config, hooks: () => GLM_TEXT_HOOKS }) };
  };

  beforeAll(async () => {
    backend = createReferenceBackend();
    tokenizer = await loadTokenizer(dir);
    cases = (JSON.parse(await readFile(join(dir, 'golden_text.json'), 'utf8')) as { chat_cases: ChatCase[] }).chat_cases;
  });
  afterAll(() => backend.dispose());

  it('thinking on by default: prompts with the golden ids and returns reasoning apart from the answer', async () => {
    const c = cases.find((x) => x.name === 'single_default_thinking')!;
    const { model, surface } = await surfaceFor('The user greets me.</think>I am well, thanks!', USER);
    const result = await surface.chatCompletion({ messages: c.messages, temperature: 0 });
    expect(model.prompts[0].inputIds[0]).toEqual(c.input_ids);
    expect(result.message).toEqual({ role: 'assistant', content: 'I am well, thanks!', reasoning_content: 'The user greets me.' });
    expect(result.finishReason).toBe('stop');
    expect(result.usage.promptTokens).toBe(c.input_ids.length);
  });

  it('thinking off on request: enable_thinking false reaches the template, the reply is all answer', async () => {
    const c = cases.find((x) => x.name === 'system_no_thinking')!;
    const { model, surface } = await surfaceFor('4', USER);
    const result = await surface.chatCompletion({ messages: c.messages, enableThinking: false, temperature: 0 });
    expect(model.prompts[0].inputIds[0]).toEqual(c.input_ids);
    expect(result.message).toEqual({ role: 'assistant', content: '4' });
  });

  it('parses tool calls into OpenAI tool_calls with finish reason tool_calls, and takes the tool result back', async () => {
    const c = cases.find((x) => x.name === 'tools')!;
    const reply =
      'Need weather.</think><tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value><arg_key>days</arg_key><arg_value>2</arg_value></tool_call>';
    const { surface } = await surfaceFor(reply, OBSERVATION);
    const first = await surface.chatCompletion({ messages: [c.messages[0]], tools: c.options.tools, temperature: 0 });
    expect(first.finishReason).toBe('tool_calls');
    expect(first.message.content).toBeNull();
    expect(first.message.reasoning_content).toBe('Need weather.');
    expect(first.message.tool_calls).toHaveLength(1);
    expect(first.message.tool_calls![0].function.name).toBe('get_weather');
    expect(JSON.parse(first.message.tool_calls![0].function.arguments)).toEqual({ city: 'Paris', days: 2 });

    // Feed the call (arguments as OpenAI's JSON string) and the tool result back: the prompt is the golden one.
    const next = await surfaceFor('Got it.</think>Sunny.', USER);
    const history: ChatMessage[] = [
      c.messages[0],
      { ...first.message, content: '', reasoning_content: 'Call the tool.', tool_calls: [{ ...first.message.tool_calls![0], id: 'call_0' }] },
      c.messages[2],
    ];
    const second = await next.surface.chatCompletion({ messages: history, tools: c.options.tools, temperature: 0 });
    expect(next.model.prompts[0].inputIds[0]).toEqual(c.input_ids);
    expect(second.message.content).toBe('Sunny.');
  });

  it('streams reasoning and answer deltas separately, then the tool call, then the finish reason', async () => {
    const c = cases.find((x) => x.name === 'tools')!;
    const reply = 'Let me check.</think>Checking.<tool_call>get_weather<arg_key>city</arg_key><arg_value>Oslo</arg_value></tool_call>';
    const { surface } = await surfaceFor(reply, OBSERVATION);
    const deltas: ChatCompletionDelta[] = [];
    for await (const d of surface.streamChatCompletion({ messages: [c.messages[0]], tools: c.options.tools, temperature: 0 })) deltas.push(d);
    expect(deltas.filter((d) => d.reasoning).length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.reasoning ?? '').join('')).toBe('Let me check.');
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('Checking.');
    const lastReasoning = deltas.findLastIndex((d) => d.reasoning);
    const firstContent = deltas.findIndex((d) => d.content);
    expect(lastReasoning).toBeLessThan(firstContent);
    const calls = deltas.flatMap((d) => d.toolCalls ?? []);
    expect(calls.map((t) => JSON.parse(t.function.arguments))).toEqual([{ city: 'Oslo' }]);
    expect(deltas.at(-1)).toMatchObject({ finishReason: 'tool_calls' });
  });

  it('multi-turn: earlier reasoning is dropped from the prompt as the template does', async () => {
    const c = cases.find((x) => x.name === 'multi_turn_reasoning')!;
    const { model, surface } = await surfaceFor('x</think>40', USER);
    const result = await surface.chatCompletion({ messages: c.messages, enableThinking: true, temperature: 0 });
    expect(model.prompts[0].inputIds[0]).toEqual(c.input_ids);
    expect(result.message.content).toBe('40');
  });
});
