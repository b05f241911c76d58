import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ToolDefinition } from '../plugin/chat.js';
import { loadChatTemplate } from './load-chat-template.js';
import { loadTokenizer } from './load-tokenizer.js';

interface GoldenText {
  tokenizer: { vocab_size: number; added_tokens: Array<{ id: number; content: string; special: boolean }> };
  render: { special_tokens_map_passed: Record<string, unknown> };
  chat_cases: Array<{
    name: string;
    messages: ChatMessage[];
    options: { add_generation_prompt: boolean; enable_thinking?: boolean; tools?: ToolDefinition[] };
    rendered: string;
    input_ids: number[];
  }>;
  encode_cases: Array<{ name: string; text: string; ids: number[]; tokens: string[]; decoded: string; decoded_skip_special: string }>;
}

const FIXTURES = ['qwen3vl-tiny', 'glm47flash-tiny', 'glm47flash-tiny-grouped'];

describe.each(FIXTURES)('golden_text.json of %s', (fixture) => {
  const dir = fileURLToPath(new URL(`../__fixtures__/${fixture}/`, import.meta.url));
  const golden = JSON.parse(readFileSync(`${dir}golden_text.json`, 'utf8')) as GoldenText;

  it.each(golden.encode_cases.map((c) => [c.name, c] as const))('encodes and decodes %s exactly', async (_name, c) => {
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer.encode(c.text)).toEqual(c.ids);
    expect(c.ids.map((id) => tokenizer.idToToken(id))).toEqual(c.tokens);
    expect(tokenizer.decode(c.ids)).toBe(c.decoded);
    expect(tokenizer.decode(c.ids, { skipSpecialTokens: true })).toBe(c.decoded_skip_special);
  });

  it.each(golden.chat_cases.map((c) => [c.name, c] as const))('renders and encodes chat case %s exactly', async (_name, c) => {
    const [tokenizer, template] = await Promise.all([loadTokenizer(dir), loadChatTemplate(dir)]);
    const rendered = template.render({
      messages: c.messages,
      addGenerationPrompt: c.options.add_generation_prompt,
      ...(c.options.tools ? { tools: c.options.tools } : {}),
      ...(c.options.enable_thinking === undefined ? {} : { enable_thinking: c.options.enable_thinking }),
    });
    expect(rendered).toBe(c.rendered);
    expect(tokenizer.encode(rendered)).toEqual(c.input_ids);
  });

  it('reads the special tokens and sizes of the fixture', async () => {
    const tokenizer = await loadTokenizer(dir);
    const special = golden.tokenizer.added_tokens.filter((t) => t.special).map((t) => ({ id: t.id, content: t.content }));
    expect(tokenizer.specialTokens).toEqual(special);
    expect(tokenizer.vocabSize).toBe(golden.tokenizer.vocab_size);
    const passed = golden.render.special_tokens_map_passed;
    expect(tokenizer.eosToken).toBe(passed.eos_token);
    expect(tokenizer.padToken).toBe(passed.pad_token);
    const eos = golden.tokenizer.added_tokens.find((t) => t.content === passed.eos_token)!;
    expect(tokenizer.eosTokenId).toBe(eos.id);
    for (const token of special) {
      expect(tokenizer.tokenToId(token.content)).toBe(token.id);
      expect(tokenizer.isSpecialId(token.id)).toBe(true);
    }
  });
});
