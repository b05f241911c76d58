import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Backend, createPluginManager } from '@pio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import { fixtureDir } from './testing/golden-fixture.js';
import { expectGoldenGreedy } from './testing/expect-golden-greedy.js';
import { GLM_TEST_ENGINES } from './testing/test-backends.js';

const FIXTURE = 'glm47flash-tiny' as const;

describe.each(GLM_TEST_ENGINES)('the manager on %s, when GLM-4.7-Flash does not fit with every expert resident', (_engine, createBackend) => {
  let backend: Backend | undefined;
  afterEach(() => backend?.dispose());

  it('loads it with the largest expert budget that fits, and it gives the golden greedy tokens', async () => {
    backend = await createBackend();
    const dir = fixtureDir(FIXTURE);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const perLayer = config.n_routed_experts as number;
    const perToken = config.num_experts_per_tok as number;
    // float32 weights (the golden logits' precision; the budget is chosen for a requested storage as for a chosen one)
    // and a memory limit between what they need with the experts one token uses and with all of them
    const plugin = createGlmFlashPlugin();
    const need = (expertBudget: number) => plugin.estimateMemory(config, 'float32', { expertBudget }).totalBytes;
    const memoryBytes = Math.floor((need(perToken) + need(perLayer)) / 2);
    expect(memoryBytes).toBeLessThan(need(perLayer));

    const manager = createPluginManager({ backend, allowedRoots: [dir], cwd: dir, searchPaths: [], limits: { memoryBytes } });
    try {
      await manager.registerPlugin(createGlmFlashPlugin);
      const active = (await manager.activatePlugin('glm-flash', { modelPath: dir, storage: 'float32' })) as ReturnType<typeof createGlmFlashPlugin>;
      const [loaded] = manager.listModels();
      const settings = loaded.settings!;
      expect(settings.expertBudget).toBeGreaterThanOrEqual(perToken);
      expect(settings.expertBudget).toBeLessThan(perLayer);
      expect(settings.estimate.totalBytes).toBeLessThanOrEqual(memoryBytes);
      expect(settings.reason).toContain(`with ${settings.expertBudget} of ${perLayer} routed experts resident per MoE layer`);

      const model = active.model!;
      const moeLayers = model.config.mlpLayerTypes.filter((t) => t === 'sparse').length;
      expect(model.experts.stats().capacity).toBe(settings.expertBudget! * moeLayers);
      await expectGoldenGreedy(FIXTURE, (prompt) => model.createSession(prompt));
    } finally {
      await manager.dispose();
    }
  });
});
