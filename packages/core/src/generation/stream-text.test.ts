import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../testing/index.js';
import { qwen3TestTokenizer } from '../text/__fixtures__/qwen3-tokenizer.js';
import { createScriptedCausalLM } from './__fixtures__/scripted-causal-lm.js';
import { collectText, generateText } from './generate-text.js';
import { streamText, type TextGenerationDelta, type TextGenerationOptions } from './stream-text.js';
import { StopStringMatcher } from './stop-string-matcher.js';

const backend = createReferenceBackend();
afterAll(() => backend.dispose());
const { tokenizer } = qwen3TestTokenizer();
const imEnd = tokenizer.tokenToId('<|im_end|>')!;
const PROMPT = tokenizer.encode('<|im_start|>assistant\n');

/** Streams scripted rows (each row's script is the encoded text, plus `tail` ids) and returns the deltas per row. */
async function streamScripts(texts: string[], options: TextGenerationOptions = {}, tail: number[] = [imEnd]) {
  const scripts = texts.map((text) => [...tokenizer.encode(text), ...tail]);
  const model = createScriptedCausalLM(backend, tokenizer.vocabSize, scripts);
  const deltas: TextGenerationDelta[][] = texts.map(() => []);
  for await (const delta of streamText(model, tokenizer, { inputIds: texts.map(() => PROMPT) }, options)) deltas[delta.row].push(delta);
  return { scripts, deltas, joined: deltas.map((row) => row.map((d) => d.text).join('')) };
}

describe('streamText', () => {
  it('streams deltas that concatenate to the final text, never splitting a character', async () => {
    const text = '你好，世界！🦩 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 naïve — 👨‍👩‍👧‍👦 done';
    const { scripts, deltas, joined } = await streamScripts([text]);
    const ids = scripts[0].slice(0, -1);
    expect(ids.some((id) => tokenizer.decode([id]).includes('\uFFFD'))).toBe(true); // characters do split across tokens
    expect(joined[0]).toBe(text);
    expect(joined[0]).toBe(tokenizer.decode(ids));
    for (const delta of deltas[0]) expect(delta.text).not.toContain('\uFFFD');
    expect(deltas[0].filter((d) => d.token !== undefined).map((d) => d.token)).toEqual(ids);
    const last = deltas[0].at(-1)!;
    expect(last.finishReason).toBe('stop'); // the tokenizer's EOS (<|im_end|>) ends the row by default
    expect(last.usage).toEqual({ promptTokens: PROMPT.length, completionTokens: ids.length + 1, totalTokens: PROMPT.length + ids.length + 1 });
  });

  it('ends at a stop string spanning tokens, without emitting it', async () => {
    const text = 'The answer is 42.\nEND of story';
    const ids = tokenizer.encode(text);
    expect(ids.every((id) => !tokenizer.decode([id]).includes('\nEND'))).toBe(true); // the stop string spans tokens
    const { deltas, joined } = await streamScripts([text], { stop: ['\nEND', 'story'] });
    expect(joined[0]).toBe('The answer is 42.');
    expect(deltas[0].at(-1)).toMatchObject({ finishReason: 'stop', text: '' });
    expect(deltas[0].some((d) => d.text.includes('\n'))).toBe(false);
  });

  it('holds back text that may start a stop string and releases it when it does not', async () => {
    const text = 'Pay 42. Then 42! Bye';
    const { deltas, joined } = await streamScripts([text], { stop: '42!' });
    expect(joined[0]).toBe('Pay 42. Then ');
    const tokenTexts = deltas[0].filter((d) => d.token !== undefined).map((d) => [tokenizer.decode([d.token!]), d.text]);
    const firstFour = tokenTexts.findIndex(([piece]) => piece.includes('4'));
    expect(tokenTexts[firstFour][1]).not.toContain('4'); // "4" could begin "42!": held back...
    expect(tokenTexts.slice(firstFour + 1).some(([, out]) => out.includes('42.'))).toBe(true); // ...and released with "."
  });

  it('finds stop strings made of multi-byte characters split across tokens', async () => {
    const text = '🦩🦩 and 𝔘𝔫𝔦 more';
    const { joined } = await streamScripts([text], { stop: '𝔫' });
    expect(joined[0]).toBe('🦩🦩 and 𝔘');
  });

  it('releases held-back text when the row ends for another reason', async () => {
    const text = 'count to 4';
    const ids = tokenizer.encode(text);
    const { deltas, joined } = await streamScripts([text], { stop: '42', maxNewTokens: ids.length }, []);
    expect(joined[0]).toBe(text);
    expect(deltas[0].at(-1)!.finishReason).toBe('length');
    expect(deltas[0].at(-1)!.text).toContain('4');
  });

  it('runs rows with their own stops and lengths in one batch, and collects them', async () => {
    const texts = ['alpha beta STOP gamma', 'one two three four five six'];
    const model = createScriptedCausalLM(
      backend,
      tokenizer.vocabSize,
      texts.map((t) => tokenizer.encode(t)),
    );
    const input = { inputIds: [PROMPT, PROMPT.slice(1)] };
    const results = await generateText(model, tokenizer, input, { stop: ' STOP', maxNewTokens: 5, logprobs: true });
    expect(results.map((r) => r.text)).toEqual(['alpha beta', tokenizer.decode(tokenizer.encode(texts[1]).slice(0, 5))]);
    expect(results.map((r) => r.finishReason)).toEqual(['stop', 'length']);
    expect(results[1].tokens).toEqual(tokenizer.encode(texts[1]).slice(0, 5));
    expect(results[1].usage).toEqual({ promptTokens: PROMPT.length - 1, completionTokens: 5, totalTokens: PROMPT.length + 4 });
    expect(results[1].logprobs!.map((l) => l.text).join('')).toBe(results[1].text);
    for (const l of results[1].logprobs!) expect(l.logprob).toBeLessThanOrEqual(0);
    const again = await collectText(streamText(model, tokenizer, input, { stop: ' STOP', maxNewTokens: 5 }));
    expect(again.map((r) => r.text)).toEqual(results.map((r) => r.text));
  });

  it('ends with finish reason abort and the text so far', async () => {
    const controller = new AbortController();
    const model = createScriptedCausalLM(backend, tokenizer.vocabSize, [tokenizer.encode('a b c d e f g h')]);
    let text = '';
    let reason: string | undefined;
    for await (const delta of streamText(model, tokenizer, { inputIds: [PROMPT] }, { signal: controller.signal, maxNewTokens: 100 })) {
      text += delta.text;
      reason = delta.finishReason ?? reason;
      if (delta.token !== undefined && text.length >= 3) controller.abort();
    }
    expect(reason).toBe('abort');
    expect(text).toBe('a b');
  });
});

describe('StopStringMatcher', () => {
  it('passes text through without stop strings and cuts at the earliest stop', () => {
    const plain = new StopStringMatcher([]);
    expect(plain.push('abc')).toEqual({ text: 'abc', stopped: false });
    const m = new StopStringMatcher(['xyz', 'b!']);
    expect(m.push('ab')).toEqual({ text: 'a', stopped: false });
    expect(m.push('c x')).toEqual({ text: 'bc ', stopped: false });
    expect(m.push('yb!xyz')).toEqual({ text: 'xy', stopped: true });
    expect(m.push('more')).toEqual({ text: '', stopped: true });
    expect(m.flush()).toBe('');
  });
});
