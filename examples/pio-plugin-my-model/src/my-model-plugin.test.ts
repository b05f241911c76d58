import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError, PluginStateError } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { encodeHostTensor, writeSafetensors } from '@pio/core/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMyModelPlugin } from './index.js';

const HIDDEN = 4;
const WORDS = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
const EOS = WORDS.length; // '<eos>'
const VOCAB = WORDS.length + 1;
const EPS = 1e-6;
const config = { architectures: ['MyModelForCausalLM'], model_type: 'my_model', hidden_size: HIDDEN, vocab_size: VOCAB, rms_norm_eps: EPS };

// Deterministic weights: row-major values from a fixed formula.
const table = (rows: number, cols: number, seed: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => Math.sin(seed + r * cols + c) * 0.5));
const embed = table(VOCAB, HIDDEN, 1);
const normWeight = [1, 0.5, 1.5, 2];
const lmHead = table(VOCAB, HIDDEN, 100);

/** Logits of the next token after `token`, computed here in plain JavaScript (float64). */
function expectedLogits(token: number): number[] {
  const x = embed[token]!;
  const rms = Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / HIDDEN + EPS);
  const h = x.map((v, i) => (v / rms) * normWeight[i]!);
  return lmHead.map((row) => row.reduce((sum, w, i) => sum + w * h[i]!, 0));
}
const argMax = (values: number[]): number => values.indexOf(Math.max(...values));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'my-model-'));
  const f32 = (rows: number[][]) => encodeHostTensor(Float32Array.from(rows.flat()), [rows.length, rows[0]!.length], 'F32');
  await writeSafetensors(join(dir, 'model.safetensors'), {
    'model.embed_tokens.weight': f32(embed),
    'model.norm.weight': encodeHostTensor(Float32Array.from(normWeight), [HIDDEN], 'F32'),
    'lm_head.weight': f32(lmHead),
  });
  const vocab = Object.fromEntries([...WORDS, '<eos>'].map((word, id) => [word, id]));
  const tokenizer = {
    version: '1.0',
    added_tokens: [{ id: EOS, content: '<eos>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordLevel', vocab, unk_token: '<eos>' },
  };
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<eos>' }));
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function loadedPlugin() {
  const plugin = createMyModelPlugin();
  await plugin.initialize({ backend: createReferenceBackend() });
  await plugin.loadModel({ modelPath: dir });
  return plugin;
}

describe('MyModelPlugin', () => {
  it('accepts its own config and refuses others', () => {
    const plugin = createMyModelPlugin();
    expect(plugin.supportsConfig(config)).toBe(true);
    expect(plugin.supportsConfig({ ...config, model_type: 'llama' })).toBe(false);
    expect(plugin.estimateMemory(config, 'float32').parameters).toBe(2 * VOCAB * HIDDEN + HIDDEN);
    const error = (() => {
      try {
        plugin.estimateMemory({ ...config, hidden_size: -1 }, 'float32');
      } catch (caught) {
        return caught;
      }
    })();
    expect(InvalidConfigError.isInstance(error)).toBe(true);
  });

  it('refuses to generate before a model is loaded', async () => {
    const plugin = createMyModelPlugin();
    const error = await plugin.generateText('w1').catch((caught: unknown) => caught);
    expect(PluginStateError.isInstance(error)).toBe(true);
  });

  it('computes the logits of every position', async () => {
    const plugin = await loadedPlugin();
    const { logits } = await plugin.infer({ inputIds: [[1, 2, 3]] });
    expect(logits.shape).toEqual([1, 3, VOCAB]);
    [1, 2, 3].forEach((token, position) => {
      const expected = expectedLogits(token);
      const actual = Array.from(logits.data.slice(position * VOCAB, (position + 1) * VOCAB));
      actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    });
    await plugin.cleanup();
  });

  it('generates greedily, one token after another', async () => {
    const plugin = await loadedPlugin();
    const expected: number[] = [];
    for (let token = 2; expected.length < 4; ) {
      token = argMax(expectedLogits(token));
      if (token === EOS) break;
      expected.push(token);
    }
    const result = await plugin.generateText('w0 w2', { chat: false, temperature: 0, maxNewTokens: 4 });
    expect(result.tokens).toEqual(expected);
    expect(result.text).toBe(expected.map((id) => WORDS[id]).join(' '));
    await plugin.cleanup();
  });
});
