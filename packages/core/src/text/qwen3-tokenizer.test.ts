import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './load-tokenizer.js';
import { QWEN3_TOKENIZER_DIR, qwen3TestTokenizer } from './__fixtures__/qwen3-tokenizer.js';

/** GPT-2's byte-to-character table, written out here so the expected vocabulary keys do not come from the code under test. */
function byteLevelKey(text: string): string {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const table = new Map<number, string>();
  let next = 256;
  for (let b = 0; b < 256; b++) table.set(b, String.fromCodePoint(printable(b) ? b : next++));
  return [...new TextEncoder().encode(text)].map((b) => table.get(b)!).join('');
}

describe('the real Qwen3 tokenizer', () => {
  const { json, tokenizer } = qwen3TestTokenizer();
  const vocab = (json.model as { vocab: Record<string, number> }).vocab;
  const added = json.added_tokens as Array<{ id: number; content: string; special: boolean }>;

  it('encodes known words to the ids in tokenizer.json', () => {
    for (const word of ['Hello', ' world', '你好', ' café', ' the', '。']) {
      const id = vocab[byteLevelKey(word)];
      expect(id, word).toBeTypeOf('number');
      expect(tokenizer.encode(word), word).toEqual([id]);
    }
    expect(tokenizer.encode('Hello world')).toEqual([vocab.Hello, vocab[byteLevelKey(' world')]]);
    // Qwen splits digits one by one.
    expect(tokenizer.encode('2024')).toEqual(['2', '0', '2', '4'].map((d) => vocab[d]));
  });

  it('recognises special tokens in text as single ids', () => {
    const id = (content: string) => added.find((t) => t.content === content)!.id;
    const ids = tokenizer.encode('<|im_start|>user\nhi<|im_end|>');
    expect(ids[0]).toBe(id('<|im_start|>'));
    expect(ids.at(-1)).toBe(id('<|im_end|>'));
    expect(ids).toEqual([id('<|im_start|>'), vocab.user, vocab[byteLevelKey('\n')], vocab.hi, id('<|im_end|>')]);
    expect(tokenizer.encode('<|vision_start|><|image_pad|><|vision_end|>')).toEqual(['<|vision_start|>', '<|image_pad|>', '<|vision_end|>'].map(id));
    expect(tokenizer.tokenToId('<think>')).toBe(id('<think>'));
    expect(tokenizer.isSpecialId(id('<|im_end|>'))).toBe(true);
    expect(tokenizer.isSpecialId(id('<think>'))).toBe(false);
  });

  it('round-trips multilingual text, emoji and whitespace', () => {
    const texts = [
      'The quick brown fox jumps over the lazy dog.',
      '你好，世界！今天天气很好。',
      'こんにちは、世界。カタカナとひらがな',
      '안녕하세요 세계',
      'Привет, мир! Ελληνικά αλφάβητο',
      'مرحبا بالعالم',
      '🙂👍🏽 👨‍👩‍👧‍👦 🇫🇷 🦩',
      '∑ᵢ xᵢ² ≤ ∞ — naïve café',
      '  tabs\tand\nnewlines\r\n  ',
      'def f(x):\n    return x ** 2\n',
    ];
    for (const text of texts) {
      const ids = tokenizer.encode(text);
      expect(tokenizer.decode(ids), text).toBe(text);
    }
  });

  it('drops special tokens when asked and reads tokenizer_config.json', async () => {
    const ids = tokenizer.encode('<|im_start|>assistant\nOK<|im_end|>');
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('assistant\nOK');
    const loaded = await loadTokenizer(QWEN3_TOKENIZER_DIR);
    expect(loaded.eosToken).toBe('<|im_end|>');
    expect(loaded.eosTokenId).toBe(added.find((t) => t.content === '<|im_end|>')!.id);
    expect(loaded.padTokenId).toBe(added.find((t) => t.content === '<|endoftext|>')!.id);
    expect(loaded.bosToken).toBeUndefined();
    expect(loaded.vocabSize).toBe(Math.max(...added.map((t) => t.id)) + 1);
  });
});
