import type { Backend } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedTextModelFolder } from '@pio/core/plugin-kit';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import type { GlmFlashModel } from './model.js';

type LoadedGlmFlashModel = LoadedTextModelFolder<GlmFlashConfig, GlmFlashModel>;
import { fixtureDir, maxAbsDiff, readGolden, type GlmFixtureName, type GlmGolden } from './testing/golden-fixture.js';
import { runGreedyGolden } from './testing/run-greedy-golden.js';
import { expectGoldenGreedy } from './testing/expect-golden-greedy.js';
import { expectGoldenLogits } from './testing/expect-golden-logits.js';
import { GLM_TEST_ENGINES } from './testing/test-backends.js';

const fixtures: GlmFixtureName[] = ['glm47flash-tiny', 'glm47flash-tiny-grouped'];

describe.each(GLM_TEST_ENGINES)('GLM-4.7-Flash golden logits on %s', (_engine, createBackend) => {
  describe.each(fixtures)('%s', (fixture) => {
    let backend: Backend;
    let loaded: LoadedGlmFlashModel;
    let golden: GlmGolden;

    beforeAll(async () => {
      backend = await createBackend();
      golden = await readGolden(fixture);
      loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir(fixture), { storage: 'float32' });
    });
    afterAll(async () => {
      loaded?.model.dispose();
      await loaded?.close();
      backend?.dispose();
    });

    it('loads every tensor and declares only the MTP layer unused', () => {
      expect(loaded.report?.missing).toEqual([]);
      expect(loaded.report?.unexpected).toEqual([]);
      const prefixes = golden.weights.ignored_tensors_prefixes ?? [];
      expect(loaded.report!.unused.every((name) => prefixes.some((p) => name.startsWith(p)))).toBe(true);
      expect(loaded.report!.unused.length > 0).toBe(prefixes.length > 0);
    });

    for (const absorbed of [false, true]) {
      it(`prefill logits match (${absorbed ? 'absorbed' : 'expanded'} MLA), single and padded batch`, async () => {
        for (const c of golden.cases) {
          const logits = await loaded.model.forward({ inputIds: c.input_ids, attentionMask: c.attention_mask, positions: c.position_ids, absorbed });
          const actual = await logits.data();
          logits.dispose();
          expect(logits.shape).toEqual(c.logits.shape);
          await expectGoldenLogits(actual, fixture, c, golden);
        }
      });
    }

    it.each([
      ['expanded prefill, absorbed decode (default)', false, true],
      ['absorbed prefill, expanded decode over the latent cache', true, false],
    ])('greedy continuation with the latent KV cache, %s: tokens exact, step logits within tolerance', async (_name, prefillAbsorbed, stepAbsorbed) => {
      await expectGoldenGreedy(fixture, (prompt) => loaded.model.createSessionWith(prompt, { prefillAbsorbed, stepAbsorbed }));
    });

    it.each([3, 5])('prefill in chunks of %i (expanded MLA over the latent cache): golden logits, greedy tokens and step logits', async (chunk) => {
      for (const c of golden.cases) {
        const live = backend.memory().tensors;
        expect(c.input_ids[0].length).toBeGreaterThan(chunk);
        const prompt = { inputIds: c.input_ids, attentionMask: c.attention_mask };
        const prefill = loaded.model.createSessionWith(prompt, {}, { prefillChunkSize: chunk });
        const all = await prefill.prefillAll();
        prefill.dispose();
        expect(all.shape).toEqual(c.logits.shape);
        const actual = await all.data();
        all.dispose();
        await expectGoldenLogits(actual, fixture, c, golden);

        const session = loaded.model.createSessionWith(prompt, {}, { prefillChunkSize: chunk });
        const { tokens, stepDiff } = await runGreedyGolden(session, c, fixture);
        expect(stepDiff).toBeLessThanOrEqual(golden.tolerances.step_logits_max_abs);
        expect(tokens).toEqual(c.greedy.tokens);
        expect(backend.memory().tensors).toBe(live);
      }
    });

    it('cached decode equals recomputing the whole sequence without a cache', async () => {
      const c = golden.cases[1];
      const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
      (await session.prefill()).dispose();
      const steps = c.greedy.tokens[0].length - 1;
      let cached: Float32Array = new Float32Array();
      for (let s = 0; s < steps; s++) {
        const logits = await session.step(c.greedy.tokens.map((row) => row[s]));
        cached = (await logits.data()) as Float32Array;
        logits.dispose();
      }
      session.dispose();
      const inputIds = c.input_ids.map((row, b) => [...row, ...c.greedy.tokens[b].slice(0, steps)]);
      const attentionMask = c.attention_mask.map((row) => [...row, ...Array<number>(steps).fill(1)]);
      const positions = attentionMask.map((row) => {
        let seen = 0;
        return row.map((m) => (m ? seen++ : 1));
      });
      const full = await loaded.model.forward({ inputIds, attentionMask, positions, lastOnly: true });
      const recomputed = await full.data();
      full.dispose();
      expect(maxAbsDiff(cached, recomputed, [c.input_ids.length, 1, loaded.model.vocabSize]).diff).toBeLessThanOrEqual(1e-4);
    });
  });
});
