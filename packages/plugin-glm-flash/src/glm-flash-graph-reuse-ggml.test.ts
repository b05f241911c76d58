import { createGgmlBackend } from '@pio/backend-ggml';
import { describe, expect, it } from 'vitest';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import { fixtureDir, readGolden } from './testing/golden-fixture.js';

// With stacked experts the MoE layers route on the device (routeExperts + expertMatmul): a decode step is one graph
// with no host read before its logits, and the padded KV cache repeats its shapes, so ggml reruns that graph.
describe('GLM-4.7-Flash decode on ggml with graph reuse', () => {
  it('computes one graph per decode step, reruns it, and matches graphs built afresh', async () => {
    const golden = await readGolden('glm47flash-tiny-grouped');
    const c = golden.cases[0];
    const steps = 8;
    const run = async (reuseGraphs: boolean) => {
      const backend = await createGgmlBackend({ threads: 2, reuseGraphs });
      const loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir('glm47flash-tiny-grouped'), { storage: 'float32' });
      try {
        const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
        let logits = await session.prefill();
        const afterPrefill = backend.graphStats();
        const tokens: number[] = [];
        const stepLogits: Float32Array[] = [];
        for (let s = 0; s < steps; s++) {
          const data = (await logits.data()) as Float32Array;
          logits.dispose();
          stepLogits.push(data);
          const next = data.indexOf(Math.max(...data));
          tokens.push(next);
          logits = await session.step([next]);
        }
        logits.dispose();
        session.dispose();
        const stats = backend.graphStats();
        return { tokens, stepLogits, graphs: stats.built + stats.reused - afterPrefill.built - afterPrefill.reused, reused: stats.reused };
      } finally {
        loaded.model.dispose();
        await loaded.close();
        backend.dispose();
      }
    };
    const reused = await run(true);
    const fresh = await run(false);
    // one graph per step: the prompt's logits are read first, then each step's (no router read-back between layers)
    expect(fresh.graphs).toBe(steps);
    expect(reused.graphs).toBe(steps);
    expect(fresh.reused).toBe(0);
    expect(reused.reused).toBeGreaterThanOrEqual(steps - 3);
    expect(reused.tokens).toEqual(fresh.tokens);
    for (const [s, logits] of reused.stepLogits.entries()) expect(logits, `step ${s}`).toEqual(fresh.stepLogits[s]);
  }, 600_000);
});
