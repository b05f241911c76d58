import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDetokenizer } from './detokenizer.js';
import { loadTokenizer } from './load-tokenizer.js';
import { qwen3TestTokenizer } from './__fixtures__/qwen3-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

function stream(tokenizer: Tokenizer, ids: readonly number[], skipSpecialTokens = false): string[] {
  const detokenizer = createDetokenizer(tokenizer, { skipSpecialTokens });
  const pieces = ids.map((id) => detokenizer.push(id));
  pieces.push(detokenizer.flush());
  return pieces;
}

describe('createDetokenizer', () => {
  const { tokenizer } = qwen3TestTokenizer();
  const text = '<|im_start|>assistant\n你好，世界！🦩 👨‍👩‍👧‍👦 naïve — Ελληνικά 𝔘𝔫𝔦𝔠𝔬𝔡𝔢<|im_end|>';

  it('never emits half a character, and its pieces concatenate to decode()', () => {
    const ids = tokenizer.encode(text);
    // Precondition: some tokens of this text end inside a UTF-8 character.
    expect(ids.some((id) => tokenizer.decode([id]).includes('\uFFFD'))).toBe(true);
    for (const skip of [false, true]) {
      const pieces = stream(tokenizer, ids, skip);
      for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
      expect(pieces.join('')).toBe(tokenizer.decode(ids, { skipSpecialTokens: skip }));
    }
    expect(stream(tokenizer, ids).join('')).toBe(text);
  });

  it('holds a split character back until its last byte arrives', () => {
    const ids = tokenizer.encode('🦩');
    expect(ids.length).toBeGreaterThan(1);
    const detokenizer = createDetokenizer(tokenizer);
    for (const id of ids.slice(0, -1)) expect(detokenizer.push(id)).toBe('');
    expect(detokenizer.push(ids.at(-1)!)).toBe('🦩');
    expect(detokenizer.flush()).toBe('');
    expect(detokenizer.ids).toEqual(ids);
  });

  it('flushes an incomplete character as U+FFFD, like decode()', () => {
    const ids = tokenizer.encode('a🦩').slice(0, -1);
    const pieces = stream(tokenizer, ids);
    expect(pieces.join('')).toBe(tokenizer.decode(ids));
    expect(pieces.at(-1)!.endsWith('\uFFFD')).toBe(true);
  });

  it('streams the byte-level tiny fixture tokenizer, which splits every CJK character', async () => {
    const tiny = await loadTokenizer(fileURLToPath(new URL('../__fixtures__/glm47flash-tiny/', import.meta.url)));
    const ids = tiny.encode('[gMASK]<sop><|user|>你好，世界！ 🙂👍🏽 ∑x²<|assistant|>');
    const pieces = stream(tiny, ids);
    for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
    expect(pieces.join('')).toBe(tiny.decode(ids));
    expect(stream(tiny, ids, true).join('')).toBe('你好，世界！ 🙂👍🏽 ∑x²');
  });
});
