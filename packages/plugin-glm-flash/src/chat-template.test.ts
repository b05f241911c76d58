import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatMessage, ToolDefinition } from '@pio/core';
import { loadChatTemplate, loadTokenizer } from '@pio/core/text';
import { describe, expect, it } from 'vitest';
import { fixtureDir, type GlmFixtureName } from './testing/golden-fixture.js';

interface ChatCase {
  name: string;
  messages: ChatMessage[];
  options: { add_generation_prompt: boolean; enable_thinking?: boolean; tools?: ToolDefinition[] };
  rendered: string;
  input_ids: number[];
}

describe.each(['glm47flash-tiny', 'glm47flash-tiny-grouped'] as GlmFixtureName[])('GLM-4.7 chat template and tokenizer (%s)', (fixture) => {
  it('renders every golden chat case exactly and encodes it to the golden ids', async () => {
    const dir = fixtureDir(fixture);
    const golden = JSON.parse(await readFile(join(dir, 'golden_text.json'), 'utf8')) as { chat_cases: ChatCase[] };
    const template = await loadChatTemplate(dir);
    const tokenizer = await loadTokenizer(dir);
    expect(golden.chat_cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['single_default_thinking', 'system_no_thinking', 'multi_turn_reasoning', 'tools']),
    );
    for (const c of golden.chat_cases) {
      const extra = c.options.enable_thinking === undefined ? {} : { enable_thinking: c.options.enable_thinking };
      const rendered = template.render({ messages: c.messages, tools: c.options.tools, addGenerationPrompt: c.options.add_generation_prompt, ...extra });
      expect(rendered, c.name).toBe(c.rendered);
      expect(tokenizer.encode(rendered), c.name).toEqual(c.input_ids);
    }
  });

  it('accepts OpenAI-style tool calls whose arguments are a JSON string', async () => {
    const dir = fixtureDir(fixture);
    const golden = JSON.parse(await readFile(join(dir, 'golden_text.json'), 'utf8')) as { chat_cases: ChatCase[] };
    const tools = golden.chat_cases.find((c) => c.name === 'tools')!;
    const messages = tools.messages.map((m) =>
      m.tool_calls
        ? { ...m, tool_calls: m.tool_calls.map((tc) => ({ ...tc, function: { ...tc.function, arguments: JSON.stringify(tc.function.arguments) } })) }
        : m,
    );
    const template = await loadChatTemplate(dir);
    expect(template.render({ messages, tools: tools.options.tools, addGenerationPrompt: true, enable_thinking: true })).toBe(tools.rendered);
  });
});
