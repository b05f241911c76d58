import { InvalidConfigError, type Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateGlmFlashMemory } from './estimate-glm-flash-memory.js';
import { parseGlmFlashConfig } from './glm-flash-config.js';

type LoadedGlmFlashModel = LoadedTextModelFolder<GlmFlashConfig, GlmFlashModel>;
import type { LoadedTextModelFolder } from '@pio/core/plugin-kit';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import type { GlmFlashModel } from './model.js';
import { REAL_GLM47_FLASH_CONFIG } from './real-config.js';
import { fixtureDir, readGolden, type GlmFixtureName, type GlmGolden } from './testing/golden-fixture.js';
import { expectGoldenGreedy } from './testing/expect-golden-greedy.js';
import { expectGoldenLogits } from './testing/expect-golden-logits.js';
import { GLM_TEST_ENGINES } from './testing/test-backends.js';

const fixtures: GlmFixtureName[] = ['glm47flash-tiny', 'glm47flash-tiny-grouped'];
/** 3 of the fixtures' 8 routed experts per MoE layer (a token uses 2). */
const BUDGET = 3;

describe.each(GLM_TEST_ENGINES)('GLM-4.7-Flash under an expert budget of %s', (_engine, createBackend) => {
  describe.each(fixtures)('%s', (fixture) => {
    let backend: Backend;
    let loaded: LoadedGlmFlashModel;
    let golden: GlmGolden;

    beforeAll(async () => {
      backend = await createBackend();
      golden = await readGolden(fixture);
      loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir(fixture), { storage: 'float32', expertBudget: BUDGET });
    });
    afterAll(async () => {
      loaded?.model.dispose();
      await loaded?.close();
      backend?.dispose();
    });

    it('keeps at most the budget resident per MoE layer', () => {
      const moeLayers = loaded.model.config.mlpLayerTypes.filter((t) => t === 'sparse').length;
      const stats = loaded.model.experts.stats();
      expect(stats.capacity).toBe(BUDGET * moeLayers);
      expect(stats.resident).toBeLessThanOrEqual(BUDGET * moeLayers);
    });

    it('prefill logits (chunks of 5: groups of tokens within the budget) match the golden logits', async () => {
      for (const c of golden.cases) {
        const session = loaded.model.createSessionWith({ inputIds: c.input_ids, attentionMask: c.attention_mask }, {}, { prefillChunkSize: 5 });
        const all = await session.prefillAll();
        session.dispose();
        const actual = await all.data();
        all.dispose();
        await expectGoldenLogits(actual, fixture, c, golden);
      }
    });

    it('gives the golden greedy tokens and step logits while loading missed experts into slots', async () => {
      const before = loaded.model.experts.stats();
      await expectGoldenGreedy(fixture, (prompt) => loaded.model.createSession(prompt));
      const after = loaded.model.experts.stats();
      expect(after.loads).toBeGreaterThan(before.loads);
      expect(after.evictions).toBeGreaterThan(before.evictions);
      expect(after.hits).toBeGreaterThan(before.hits);
    });
  });
});

describe('expert budget settings', () => {
  it('refuses a budget below the experts one token uses, naming expertBudget', async () => {
    const backend = createReferenceBackend();
    try {
      const error = await createGlmFlashPlugin.loadModel(backend, fixtureDir('glm47flash-tiny'), { expertBudget: 1 }).catch((e: unknown) => e);
      expect(InvalidConfigError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toContain('expertBudget');
    } finally {
      backend.dispose();
    }
  });

  it('estimateMemory counts the resident experts only', () => {
    const config = parseGlmFlashConfig(REAL_GLM47_FLASH_CONFIG, 'config.json');
    const all = estimateGlmFlashMemory(config, 'int4', 4096);
    const half = estimateGlmFlashMemory(config, 'int4', 4096, 32);
    // at least the 4 experts one token uses (num_experts_per_tok) must stay resident
    expect(all.experts).toEqual({ residentPerLayer: 64, perLayer: 64, layers: 46, bytesPerExpert: all.bytesPerExpert, minResidentPerLayer: 4 });
    expect(half.experts?.residentPerLayer).toBe(32);
    expect(all.weightBytes - half.weightBytes).toBe(32 * 46 * all.bytesPerExpert);
    expect(half.weightBytes).toBe(half.residentWeightBytes + 32 * 46 * half.bytesPerExpert);
  });
});
