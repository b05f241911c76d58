import { createGgmlBackend } from '@pio/backend-ggml';
import { CachedDecoderSession } from '@pio/core/nn';
import { greedySessionSteps } from '@pio/core/testing';
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
        const computed = (g: typeof stats) => g.built + g.reused + g.replayed;
        return { tokens, stepLogits, graphs: computed(stats) - computed(afterPrefill), reused: stats.reused + stats.replayed, replayed: stats.replayed };
      } finally {
        loaded.model.dispose();
        await loaded.close();
        backend.dispose();
      }
    };
    const reused = await run(true);
    const fresh = await run(false);
    // one graph per step (no router read-back between layers): the prompt's logits when read, and each step's in
    // `step()` (the session reads a step's logits as it records or replays it)
    expect(fresh.graphs).toBe(steps + 1);
    expect(reused.graphs).toBe(steps + 1);
    expect(fresh.reused).toBe(0);
    // reran: reused from the graph cache, or (from the third step on) replayed by the session's recorded step
    expect(reused.reused).toBeGreaterThanOrEqual(steps - 4);
    expect(reused.replayed).toBeGreaterThan(0);
    expect(reused.tokens).toEqual(fresh.tokens);
    for (const [s, logits] of reused.stepLogits.entries()) expect(logits, `step ${s}`).toEqual(fresh.stepLogits[s]);
  }, 600_000);

  it('replays decode steps with the logits of steps run in full, across padding blocks, with rows of different lengths', async () => {
    const golden = await readGolden('glm47flash-tiny-grouped');
    const ids: number[] = golden.cases[0].input_ids[0];
    const pad = Math.max(1, ids.length - 4);
    const prompt = {
      inputIds: [ids, [...new Array(pad).fill(0), ...ids.slice(pad)]],
      attentionMask: [ids.map(() => 1), ids.map((_, t) => (t < pad ? 0 : 1))],
    };
    const steps = 20;
    const run = async (replaySteps: boolean) => {
      const backend = await createGgmlBackend({ threads: 2 });
      const loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir('glm47flash-tiny-grouped'), { storage: 'float32' });
      const session = new CachedDecoderSession(loaded.model.decoder({}), prompt, undefined, { padding: 8, replaySteps });
      try {
        return { stepLogits: await greedySessionSteps(session, steps), stats: backend.graphStats() };
      } finally {
        session.dispose();
        loaded.model.dispose();
        await loaded.close();
        backend.dispose();
      }
    };
    const replayed = await run(true);
    const full = await run(false);
    expect(full.stats.replayed).toBe(0);
    expect(replayed.stats.replayed).toBeGreaterThanOrEqual(steps / 2); // per block of 8 positions: two recorded steps, then replays
    for (const [s, logits] of replayed.stepLogits.entries()) expect(logits, `step ${s}`).toEqual(full.stepLogits[s]);
  }, 600_000);
});
