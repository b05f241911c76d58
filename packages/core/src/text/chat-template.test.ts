import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { ChatTemplateError } from '../errors/chat-template-error.js';
import type { ChatMessage, ToolDefinition } from '../plugin/chat.js';
import { createChatTemplate } from './create-chat-template.js';
import { loadChatTemplate } from './load-chat-template.js';

type Case = { name: string; messages: ChatMessage[]; options: { tools?: ToolDefinition[]; enable_thinking?: boolean }; rendered: string };
const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}/`, import.meta.url));
const goldenCase = (name: string, caseName: string): Case =>
  (JSON.parse(readFileSync(join(fixture(name), 'golden_text.json'), 'utf8')) as { chat_cases: Case[] }).chat_cases.find((c) => c.name === caseName)!;

/** The golden cases hold tool-call arguments as objects; OpenAI clients send them as JSON strings. */
function withStringArguments(messages: ChatMessage[]): ChatMessage[] {
  return messages.map((m) =>
    m.tool_calls ? { ...m, tool_calls: m.tool_calls.map((c) => ({ ...c, function: { ...c.function, arguments: JSON.stringify(c.function.arguments) } })) } : m,
  );
}

describe('chat templates with OpenAI-shaped messages', () => {
  it.each(['glm47flash-tiny', 'qwen3vl-tiny'])('%s: tool-call arguments as a JSON string render like the golden object form', async (name) => {
    const c = goldenCase(name, 'tools');
    const template = await loadChatTemplate(fixture(name));
    const messages = withStringArguments(c.messages);
    expect(typeof messages[1].tool_calls![0].function.arguments).toBe('string');
    const rendered = template.render({ messages, tools: c.options.tools, addGenerationPrompt: true, enable_thinking: c.options.enable_thinking });
    expect(rendered).toBe(c.rendered);
  });

  it('renders an assistant turn with content null (only tool calls) like empty content', async () => {
    const c = goldenCase('qwen3vl-tiny', 'tools');
    const template = await loadChatTemplate(fixture('qwen3vl-tiny'));
    const messages = withStringArguments(c.messages).map((m) => (m.role === 'assistant' ? { ...m, content: null } : m));
    expect(template.render({ messages, tools: c.options.tools, addGenerationPrompt: true })).toBe(c.rendered);
  });

  it('passes image parts given as bytes to the template like image paths', async () => {
    const c = goldenCase('qwen3vl-tiny', 'image');
    const template = await loadChatTemplate(fixture('qwen3vl-tiny'));
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'image', image: new Uint8Array([1, 2, 3]) },
          { type: 'text', text: 'Describe this image.' },
        ],
      },
    ];
    expect(template.render({ messages, addGenerationPrompt: true })).toBe(c.rendered);
  });

  it('rejects tool-call arguments that are not JSON with a ChatTemplateError', async () => {
    const template = await loadChatTemplate(fixture('glm47flash-tiny'));
    const messages: ChatMessage[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] },
    ];
    const error = (() => {
      try {
        template.render({ messages });
      } catch (e) {
        return e;
      }
    })();
    expect(ChatTemplateError.isInstance(error)).toBe(true);
    expect((error as ChatTemplateError).reason).toBe('invalid-message');
  });
});

describe('createChatTemplate (transformers rendering rules)', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];

  it('applies trim_blocks and lstrip_blocks', () => {
    const template = createChatTemplate('  {% for m in messages %}\n[{{ m.content }}]\n  {% endfor %}\nend\n');
    expect(template.render({ messages })).toBe('[hi]\nend');
  });

  it('keeps non-ASCII in tojson and uses Python separators', () => {
    const template = createChatTemplate('{{ data | tojson }}|{{ data | tojson(ensure_ascii=True) }}');
    expect(template.render({ messages, data: { city: 'Zürich 北京', n: [1, 2] } })).toBe(
      '{"city": "Zürich 北京", "n": [1, 2]}|{"city": "Z\\u00fcrich \\u5317\\u4eac", "n": [1, 2]}',
    );
  });

  it('throws a ChatTemplateError carrying the message of raise_exception', () => {
    const template = createChatTemplate("{% if messages[0].role != 'system' %}{{ raise_exception('System message first!') }}{% endif %}");
    let caught: unknown;
    try {
      template.render({ messages });
    } catch (error) {
      caught = error;
    }
    expect(ChatTemplateError.isInstance(caught)).toBe(true);
    expect((caught as ChatTemplateError).reason).toBe('raised');
    expect((caught as ChatTemplateError).templateMessage).toBe('System message first!');
  });

  it('formats strftime_now like Python in the C locale', () => {
    const now = () => new Date(2025, 2, 5, 14, 7, 9);
    const template = createChatTemplate("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %e %I:%M:%S %p %j %y %%') }}", { now });
    expect(template.render({ messages })).toBe('05 Mar 2025|Wednesday March  5 02:07:09 PM 064 25 %');
  });

  it('passes special tokens, tools as none when absent, add_generation_prompt and extra variables', () => {
    const template = createChatTemplate(
      '{{ bos_token }}{{ eos_token }}|{{ tools is none }}|{{ add_generation_prompt }}|{{ enable_thinking }}|{{ range(3) | join(",") }}',
      { specialTokens: { bos_token: '<s>', eos_token: '</s>' } },
    );
    expect(template.render({ messages, enable_thinking: false })).toBe('<s></s>|true|false|false|0,1,2');
  });

  it('picks the tool_use template of a named list when tools are given', () => {
    const template = createChatTemplate([
      { name: 'default', template: 'plain' },
      { name: 'tool_use', template: 'tools:{{ tools | length }}' },
    ]);
    expect(template.names).toEqual(['default', 'tool_use']);
    expect(template.render({ messages })).toBe('plain');
    expect(template.render({ messages, tools: [{ type: 'function', function: { name: 'f' } }] })).toBe('tools:1');
  });

  it('reports templates that do not parse', () => {
    let caught: unknown;
    try {
      createChatTemplate('{% if %}');
    } catch (error) {
      caught = error;
    }
    expect(ChatTemplateError.isInstance(caught)).toBe(true);
    expect((caught as ChatTemplateError).reason).toBe('syntax');
  });
});

describe('loadChatTemplate', () => {
  it('reads chat_template.json when it is the only source', async () => {
    const dir = makeTempDir('pio-template-');
    writeFileSync(join(dir, 'chat_template.json'), JSON.stringify({ chat_template: 'json:{{ messages[0].content }}' }));
    expect((await loadChatTemplate(dir)).render({ messages: [{ role: 'user', content: 'x' }] })).toBe('json:x');
  });

  it('prefers chat_template.jinja over tokenizer_config.json, and takes named lists from the config', async () => {
    const dir = makeTempDir('pio-template-');
    const list = [{ name: 'default', template: 'config:{{ eos_token }}' }];
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: list, eos_token: { content: '<e>', __type: 'AddedToken' } }));
    const messages: ChatMessage[] = [{ role: 'user', content: 'x' }];
    expect((await loadChatTemplate(dir)).render({ messages })).toBe('config:<e>');
    writeFileSync(join(dir, 'chat_template.jinja'), 'jinja:{{ eos_token }}\n');
    expect((await loadChatTemplate(dir)).render({ messages })).toBe('jinja:<e>');
  });

  it('throws ChatTemplateError "missing" for a folder without a template', async () => {
    const dir = makeTempDir('pio-template-');
    writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
    await expect(loadChatTemplate(dir)).rejects.toSatisfy((e) => ChatTemplateError.isInstance(e) && e.reason === 'missing');
  });
});
