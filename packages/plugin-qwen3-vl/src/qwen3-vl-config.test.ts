import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigError } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { QWEN3_VL_2B_CONFIG_JSON } from '../bench/qwen3-vl-2b-config.js';
import { countQwen3VLParameters, estimateQwen3VLMemory } from './estimate-memory.js';
import { mropePairAxes } from './mrope.js';
import { parseQwen3VLConfig } from './qwen3-vl-config.js';
import { FIXTURE_DIR } from './testing/golden.js';

const fixtureJson = JSON.parse(readFileSync(join(FIXTURE_DIR, 'config.json'), 'utf8'));

describe('parseQwen3VLConfig', () => {
  it('maps the fixture config.json to camelCase', () => {
    const c = parseQwen3VLConfig(fixtureJson);
    expect(c.text).toMatchObject({ hiddenSize: 64, numLayers: 4, numHeads: 4, numKvHeads: 2, headDim: 32, mropeSection: [6, 5, 5], tieWordEmbeddings: true });
    expect(c.vision).toMatchObject({ depth: 4, hiddenSize: 32, numPositionEmbeddings: 64, deepstackVisualIndexes: [1, 2], hiddenAct: 'gelu_pytorch_tanh' });
    expect([c.imageTokenId, c.visionStartTokenId]).toEqual([1012, 1009]);
  });

  it('reports bad fields with their paths', () => {
    const bad = structuredClone(fixtureJson);
    bad.text_config.hidden_size = -1;
    delete bad.vision_config.patch_size;
    try {
      parseQwen3VLConfig(bad);
      expect.unreachable();
    } catch (error) {
      expect(InvalidConfigError.isInstance(error)).toBe(true);
      const paths = (error as InvalidConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['text_config.hidden_size', 'vision_config.patch_size']));
    }
    const sections = structuredClone(fixtureJson);
    sections.text_config.rope_scaling.mrope_section = [6, 5, 4];
    expect(() => parseQwen3VLConfig(sections)).toThrow(/mrope_section/);
  });

  it('interleaves T/H/W over rotary pairs (Qwen3-VL) or chunks them (Qwen2-VL)', () => {
    expect(Array.from(mropePairAxes([6, 5, 5], true))).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    expect(Array.from(mropePairAxes([2, 1, 1], false))).toEqual([0, 0, 1, 2]);
  });
});

describe('estimateQwen3VLMemory', () => {
  it('counts the 2B parameters and needs about 8.5 GB in float32', () => {
    const config = parseQwen3VLConfig(QWEN3_VL_2B_CONFIG_JSON);
    // by hand: text 28 layers x (q 2048*2048 + k,v 2*2048*1024 + o 2048*2048 + mlp 3*2048*6144 + norms 2*128 + 2*2048)
    // + embed 151936*2048 + final norm 2048; vision 24 blocks x (qkv 1024*3072+3072, proj 1024*1024+1024,
    // fc1 1024*4096+4096, fc2 4096*1024+1024, 2 LayerNorms 4*1024) + patch 1024*1536+1024 + pos 2304*1024
    // + 4 mergers x (fc1 4096*4096+4096, fc2 4096*2048+2048) + merger norm 2*1024 + 3 DeepStack norms 2*4096
    const text = 28 * (2048 * 2048 * 2 + 2 * 2048 * 1024 + 3 * 2048 * 6144 + 2 * 128 + 2 * 2048) + 151936 * 2048 + 2048;
    const vision =
      24 * (1024 * 3072 + 3072 + 1024 * 1024 + 1024 + 1024 * 4096 + 4096 + 4096 * 1024 + 1024 + 4 * 1024) +
      1024 * 1536 +
      1024 +
      2304 * 1024 +
      4 * (4096 * 4096 + 4096 + 4096 * 2048 + 2048) +
      2 * 1024 +
      3 * 2 * 4096;
    expect(countQwen3VLParameters(config).total).toBe(text + vision);
    const f32 = estimateQwen3VLMemory(config, 'float32', 4096);
    expect(f32.weightBytes / 1e9).toBeGreaterThan(8.3);
    expect(f32.weightBytes / 1e9).toBeLessThan(8.7);
    // KV cache alone: 2 * 28 layers * 8 kv heads * 128 * 4096 tokens * 4 bytes
    expect(f32.runtimeBytes).toBeGreaterThan(2 * 28 * 8 * 128 * 4096 * 4);
    const bf16 = estimateQwen3VLMemory(config, 'bfloat16', 4096);
    expect(bf16.weightBytes).toBeLessThan(f32.weightBytes * 0.51);
  });
});
