import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../testing/index.js';
import { loadChatTemplate } from '../text/load-chat-template.js';
import { loadTokenizer } from '../text/load-tokenizer.js';
import type { AssistantOutputParser } from './assistant-output-parser.js';
import { createScriptedCausalLM } from './__fixtures__/scripted-causal-lm.js';
import { loadGenerationConfig } from './load-generation-config.js';
import { createTextModelRuntime } from './text-model-runtime.js';

const qwenDir = fileURLToPath(new URL('../__fixtures__/qwen3vl-tiny/', import.meta.url));

async function setup(scriptText: string, parser?: () => AssistantOutputParser) {
  const backend = createReferenceBackend();
  const tokenizer = await loadTokenizer(qwenDir);
  const chatTemplate = await loadChatTemplate(qwenDir);
  const generationDefaults = await loadGenerationConfig(qwenDir);
  const eos = tokenizer.eosTokenId!;
  const script = [...tokenizer.encode(scriptText), eos];
  const model = createScriptedCausalLM(backend, 1024, [script, script]);
  const runtime = createTextModelRuntime({
    model,
    tokenizer,
    chatTemplate,
    generationDefaults: { ...generationDefaults, doSample: false },
    createOutputParser: parser,
  });
  return { backend, tokenizer, chatTemplate, runtime, script, eos };
}

describe('createTextModelRuntime', () => {
  it('answers a chat with the model output, the stop reason and exact usage', async () => {
    const { runtime, tokenizer, chatTemplate } = await setup('Hello world');
    const messages = [{ role: 'user' as const, content: 'Hi there' }];
    const result = await runtime.chatCompletion({ messages });
    expect(result.message).toEqual({ role: 'assistant', content: 'Hello world' });
    expect(result.finishReason).toBe('stop');
    const promptTokens = tokenizer.encode(chatTemplate.render({ messages, addGenerationPrompt: true })).length;
    // completion tokens count every token produced, the EOS included
    expect(result.usage).toEqual({
      promptTokens,
      completionTokens: tokenizer.encode('Hello world').length + 1,
      totalTokens: promptTokens + tokenizer.encode('Hello world').length + 1,
    });
  });

  it('streams chat deltas that add up to the non-streamed answer', async () => {
    const { runtime } = await setup('Streaming works');
    let text = '';
    let last;
    for await (const delta of runtime.streamChatCompletion({ messages: [{ role: 'user', content: 'go' }] })) {
      text += delta.content ?? '';
      last = delta;
    }
    expect(text).toBe('Streaming works');
    expect(last?.finishReason).toBe('stop');
    expect(last?.usage?.completionTokens).toBeGreaterThan(0);
  });

  it('splits reasoning and tool calls with the plugin parser, and reports tool_calls', async () => {
    const parser = (): AssistantOutputParser => {
      let all = '';
      return {
        push: (text) => {
          all += text;
          return {};
        },
        end: () => {
          const [reasoning, content] = all.split('|');
          return {
            delta: { reasoning, content },
            output: { content, reasoning, toolCalls: [{ id: 'call_0', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          };
        },
      };
    };
    const { runtime } = await setup('think|answer', parser);
    const result = await runtime.chatCompletion({ messages: [{ role: 'user', content: 'q' }] });
    expect(result.message.reasoning_content).toBe('think');
    expect(result.message.content).toBe('answer');
    expect(result.message.tool_calls?.[0].function.name).toBe('f');
    expect(result.finishReason).toBe('tool_calls');
  });

  it('generate() drops left padding through the attention mask and reports finish reasons', async () => {
    const { runtime, script, eos } = await setup('abc');
    const result = await runtime.generate({
      inputIds: [
        [0, 0, 5, 6],
        [7, 8, 9, 10],
      ],
      attentionMask: [
        [0, 0, 1, 1],
        [1, 1, 1, 1],
      ],
      maxNewTokens: 16,
    });
    expect(result.tokens).toEqual([script.filter((t) => t !== eos), script.filter((t) => t !== eos)]);
    expect(result.finishReasons).toEqual(['stop', 'stop']);
    const capped = await runtime.generate({ inputIds: [[5]], maxNewTokens: 2 });
    expect(capped).toEqual({ tokens: [script.slice(0, 2)], finishReasons: ['length'] });
  });

  it('generateText and streamText agree; chat: false uses the raw prompt', async () => {
    const { runtime, tokenizer } = await setup('same text');
    const full = await runtime.generateText('prompt', { chat: false });
    let streamed = '';
    for await (const delta of runtime.streamText('prompt', { chat: false })) streamed += delta.text;
    expect(full.text).toBe('same text');
    expect(streamed).toBe(full.text);
    expect(full.usage.promptTokens).toBe(tokenizer.encode('prompt').length);
  });

  it('refuses images when the model has no image input', async () => {
    const { runtime } = await setup('x');
    await expect(runtime.generateText('describe', { images: ['cat.png'] })).rejects.toMatchObject({ code: 'PIO_UNSUPPORTED_INPUT', input: 'images' });
  });
});
