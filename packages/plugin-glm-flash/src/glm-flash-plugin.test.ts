import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginStateError, type Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlmFlashInputError } from './errors/glm-flash-input-error.js';
import { createGlmFlashPlugin, type GlmFlashPlugin } from './glm-flash-plugin.js';
import { REAL_GLM47_FLASH_CONFIG } from './real-config.js';
import { fixtureDir, maxAbsDiff, readBin, readGolden, type GlmGolden } from './testing/golden-fixture.js';

const fixture = 'glm47flash-tiny';

describe('GlmFlashPlugin on the tiny fixture (reference backend)', () => {
  let backend: Backend;
  let plugin: GlmFlashPlugin;
  let golden: GlmGolden;

  beforeAll(async () => {
    backend = createReferenceBackend();
    plugin = createGlmFlashPlugin({ expertCapacity: 6 });
    await plugin.initialize({ backend });
    await plugin.loadModel({ modelPath: fixtureDir(fixture) });
    golden = await readGolden(fixture);
  });
  afterAll(async () => {
    await plugin.cleanup();
    await plugin.cleanup();
    backend.dispose();
  });

  it('declares its spec, metadata and supported configs', async () => {
    expect(plugin.specificationVersion).toBe('v1');
    expect(plugin.metadata.name).toBe('glm-flash');
    expect(plugin.supportsConfig(JSON.parse(await readFile(join(fixtureDir(fixture), 'config.json'), 'utf8')))).toBe(true);
    expect(plugin.supportsConfig({ model_type: 'qwen3_vl' })).toBe(false);
  });

  it('infer returns the golden prefill logits for the padded batch', async () => {
    const c = golden.cases[1];
    const out = await plugin.infer({ inputIds: c.input_ids, attentionMask: c.attention_mask });
    expect(out.logits.shape).toEqual(c.logits.shape);
    const { diff } = maxAbsDiff(out.logits.data, await readBin(fixture, c.logits.file), c.logits.shape, (b, t) => c.attention_mask[b][t] === 1);
    expect(diff).toBeLessThanOrEqual(golden.tolerances.logits_max_abs);
  });

  it('generate continues both rows of the padded batch with the golden greedy tokens', async () => {
    const c = golden.cases[1];
    const out = await plugin.generate({ inputIds: c.input_ids, attentionMask: c.attention_mask, maxNewTokens: 8, temperature: 0, eosTokenIds: [] });
    expect(out.tokens).toEqual(c.greedy.tokens);
    expect(out.finishReasons).toEqual(['length', 'length']);
  });

  it('streamGenerate yields the same tokens as they come', async () => {
    const c = golden.cases[0];
    const seen: number[] = [];
    for await (const delta of plugin.streamGenerate({ inputIds: c.input_ids, maxNewTokens: 8, temperature: 0, eosTokenIds: [] })) seen.push(delta.token);
    expect(seen).toEqual(c.greedy.tokens[0]);
  });

  it('rejects malformed inputs with GlmFlashInputError', async () => {
    const attempts = [
      plugin.infer({ inputIds: [[1, 2], [3]] }),
      plugin.infer({ inputIds: [[1, 2]], attentionMask: [[1]] }),
      plugin.infer({ inputIds: [[1, 2]], attentionMask: [[0, 0]] }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toSatisfy((e) => GlmFlashInputError.isInstance(e));
    // ids outside the vocabulary are refused by the plugin kit before the model sees them, naming the id
    await expect(plugin.infer({ inputIds: [[1, 5000]] })).rejects.toMatchObject({
      code: 'PIO_INVALID_GENERATION_OPTIONS',
      option: 'inputIds[0][1]',
      value: 5000,
    });
  });

  it('estimates the real model: ~30 B parameters, experts dominating, 576 cached floats per token per layer', () => {
    const bf16 = plugin.estimateMemory(REAL_GLM47_FLASH_CONFIG, 'bfloat16');
    expect(bf16.parameters / 1e9).toBeGreaterThan(29);
    expect(bf16.parameters / 1e9).toBeLessThan(31.5);
    expect(bf16.expertWeightBytes).toBeGreaterThan(10 * bf16.residentWeightBytes);
    expect(bf16.kvBytesPerToken).toBe(47 * 576 * 4);
    const int4 = plugin.estimateMemory(REAL_GLM47_FLASH_CONFIG, 'int4');
    expect(int4.weightBytes).toBeLessThan(bf16.weightBytes / 3);
  });
});

describe('GlmFlashPlugin lifecycle', () => {
  it('refuses to run before initialize / loadModel with PluginStateError', async () => {
    const plugin = createGlmFlashPlugin();
    await expect(plugin.loadModel({ modelPath: fixtureDir(fixture) })).rejects.toSatisfy((e) => PluginStateError.isInstance(e));
    await expect(plugin.infer({ inputIds: [[1]] })).rejects.toSatisfy((e) => PluginStateError.isInstance(e));
  });
});
