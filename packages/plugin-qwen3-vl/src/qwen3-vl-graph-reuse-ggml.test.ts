import { createGgmlBackend } from '@pio/backend-ggml';
import { describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import { greedy } from './testing/golden-suite.js';
import { FIXTURE_DIR, readGolden } from './testing/golden.js';

// The session pads its KV cache to 256 positions and masks the padding, so every decode step inside a block has the
// same shapes and the ggml backend reruns one graph. Reuse must not change a single value.
describe('Qwen3-VL decode on ggml with graph reuse', () => {
  it('reruns one graph per decode step, with the same logits as graphs built afresh', async () => {
    const c = readGolden().cases.find((k: { uses_image: boolean }) => !k.uses_image);
    const run = async (reuseGraphs: boolean) => {
      const backend = await createGgmlBackend({ threads: 2, reuseGraphs });
      const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR);
      try {
        const result = await greedy(model, c.input_ids, c.attention_mask, 12);
        return { ...result, stats: backend.graphStats() };
      } finally {
        model.dispose();
        backend.dispose();
      }
    };
    const reused = await run(true);
    const fresh = await run(false);
    expect(fresh.stats).toMatchObject({ reused: 0, replayed: 0 });
    // the first decode steps build it; two recordings of it that match, and the session replays it from then on
    expect(reused.stats.replayed).toBeGreaterThanOrEqual(11 - 3);
    expect(reused.tokens).toEqual(fresh.tokens);
    for (const [s, logits] of reused.stepLogits.entries()) expect(logits, `step ${s}`).toEqual(fresh.stepLogits[s]);
  });
});
