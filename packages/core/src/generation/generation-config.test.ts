import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { ConfigFileError } from '../errors/config-file-error.js';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { loadGenerationConfig } from './load-generation-config.js';
import { isSampling, resolveGenerationOptions } from './resolve-generation-options.js';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}/`, import.meta.url));

describe('loadGenerationConfig', () => {
  it('reads the Qwen3-VL fixture into camelCase options', async () => {
    expect(await loadGenerationConfig(fixture('qwen3vl-tiny'))).toEqual({
      bosTokenId: 1000,
      padTokenId: 1000,
      doSample: true,
      eosTokenIds: [1002, 1000],
      topK: 20,
      topP: 0.8,
      repetitionPenalty: 1.0,
      temperature: 0.7,
    });
  });

  it('reads the GLM fixtures (EOS list, no sampling settings)', async () => {
    expect(await loadGenerationConfig(fixture('glm47flash-tiny'))).toEqual({ eosTokenIds: [1000, 1007, 1009], padTokenId: 1000 });
    expect(await loadGenerationConfig(fixture('glm47flash-tiny-grouped'))).toEqual({ eosTokenIds: [480, 487, 489], padTokenId: 480 });
  });

  it('accepts a single eos_token_id and max_new_tokens, and a folder without the file', async () => {
    const dir = makeTempDir('pio-genconfig-');
    expect(await loadGenerationConfig(dir)).toEqual({});
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: 2, max_new_tokens: 64, min_p: 0.1, top_k: null }));
    expect(await loadGenerationConfig(dir)).toEqual({ eosTokenIds: [2], maxNewTokens: 64, minP: 0.1 });
  });

  it('reports wrong types and broken JSON with typed errors', async () => {
    const dir = makeTempDir('pio-genconfig-');
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ temperature: 'hot', top_k: 2.5, eos_token_id: ['x'] }));
    const error = await loadGenerationConfig(dir).catch((e: unknown) => e);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual(['temperature', 'top_k', 'eos_token_id']);
    writeFileSync(join(dir, 'generation_config.json'), '{"temperature": ');
    await expect(loadGenerationConfig(dir)).rejects.toSatisfy((e) => ConfigFileError.isInstance(e) && e.reason === 'invalid-json');
  });
});

describe('resolveGenerationOptions', () => {
  const qwen = { bosTokenId: 1000, padTokenId: 1000, doSample: true, eosTokenIds: [1002, 1000], topK: 20, topP: 0.8, temperature: 0.7 };

  it('lets every option the caller sets win, and keeps the rest', () => {
    const resolved = resolveGenerationOptions(qwen, { topP: 0.95, maxNewTokens: 10, eosTokenIds: [5], seed: 3, topK: undefined });
    expect(resolved).toEqual({ ...qwen, topP: 0.95, maxNewTokens: 10, eosTokenIds: [5], seed: 3 });
    expect(isSampling(resolved)).toBe(true);
  });

  it('turns sampling off for temperature 0 and on for a caller temperature above 0', () => {
    const greedy = resolveGenerationOptions(qwen, { temperature: 0 });
    expect(greedy.doSample).toBe(false);
    expect(isSampling(greedy)).toBe(false);
    const glm = { eosTokenIds: [1000], padTokenId: 1000 };
    expect(isSampling(resolveGenerationOptions(glm, {}))).toBe(false);
    expect(resolveGenerationOptions(glm, { temperature: 0.9 }).doSample).toBe(true);
    expect(resolveGenerationOptions(qwen, { doSample: false }).doSample).toBe(false);
    expect(resolveGenerationOptions({ doSample: false }, { temperature: 0.5, doSample: false }).doSample).toBe(false);
  });
});
