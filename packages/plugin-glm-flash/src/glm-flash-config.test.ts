import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { isGlmFlashConfig, parseGlmFlashConfig } from './glm-flash-config.js';
import { fixtureDir } from './testing/golden-fixture.js';
import { REAL_GLM47_FLASH_CONFIG } from './real-config.js';

describe('parseGlmFlashConfig', () => {
  it('reads the tiny fixture config into camelCase fields', async () => {
    const json = JSON.parse(await readFile(join(fixtureDir('glm47flash-tiny-grouped'), 'config.json'), 'utf8'));
    const config = parseGlmFlashConfig(json);
    expect(config).toMatchObject({
      hiddenSize: 64,
      numHiddenLayers: 3,
      qLoraRank: 40,
      kvLoraRank: 32,
      qkHeadDim: 24,
      nGroup: 4,
      topkGroup: 2,
      numExpertsPerTok: 3,
      routedScalingFactor: 2.5,
      mlpLayerTypes: ['dense', 'sparse', 'sparse'],
      eosTokenIds: [480, 487, 489],
      ropeTheta: 1000000,
    });
  });

  it('reads the released GLM-4.7-Flash config', () => {
    const config = parseGlmFlashConfig(REAL_GLM47_FLASH_CONFIG);
    expect(config.mlpLayerTypes.filter((t) => t === 'sparse')).toHaveLength(46);
    expect(config.kvLoraRank + config.qkRopeHeadDim).toBe(576);
  });

  it('accepts q_lora_rank null (plain q_proj)', () => {
    expect(parseGlmFlashConfig({ ...REAL_GLM47_FLASH_CONFIG, q_lora_rank: null }).qLoraRank).toBeNull();
  });

  it('reports every bad field with its path', () => {
    let error: unknown;
    try {
      parseGlmFlashConfig({ ...REAL_GLM47_FLASH_CONFIG, hidden_size: 'big', n_group: 3, kv_lora_rank: -1 }, '/m/config.json');
    } catch (e) {
      error = e;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const issues = (error as InvalidConfigError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['hidden_size', 'kv_lora_rank']);
    expect((error as InvalidConfigError).code).toBe('PIO_INVALID_CONFIG');
    expect((error as Error).message).toContain('/m/config.json');
  });

  it('checks cross-field rules once the fields are well typed', () => {
    expect(() => parseGlmFlashConfig({ ...REAL_GLM47_FLASH_CONFIG, n_group: 3 })).toThrow(/n_group/);
    expect(() => parseGlmFlashConfig({ ...REAL_GLM47_FLASH_CONFIG, rope_scaling: { rope_type: 'yarn', factor: 4 } })).toThrow(/rope_scaling/);
  });

  it('recognises GLM-4.7-Flash configs and nothing else', () => {
    expect(isGlmFlashConfig(REAL_GLM47_FLASH_CONFIG)).toBe(true);
    expect(isGlmFlashConfig({ architectures: ['Glm4MoeLiteForCausalLM'] })).toBe(true);
    expect(isGlmFlashConfig({ model_type: 'glm4_moe' })).toBe(false);
    expect(isGlmFlashConfig(null)).toBe(false);
  });
});
