import type { Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedTextModelFolder } from '@pio/core/plugin-kit';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import type { GlmFlashModel } from './model.js';

type LoadedGlmFlashModel = LoadedTextModelFolder<GlmFlashConfig, GlmFlashModel>;
import { fixtureDir, readGolden, type GlmGolden } from './testing/golden-fixture.js';

async function greedy(loaded: LoadedGlmFlashModel, golden: GlmGolden, caseIndex: number): Promise<number[][]> {
  const c = golden.cases[caseIndex];
  const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
  const out: number[][] = c.input_ids.map(() => []);
  let logits = await session.prefill();
  for (let s = 0; s < c.greedy.steps; s++) {
    const data = await logits.data();
    logits.dispose();
    const vocab = data.length / c.input_ids.length;
    const next = c.input_ids.map((_, b) => {
      const row = Array.from(data.subarray(b * vocab, (b + 1) * vocab));
      return row.indexOf(Math.max(...row));
    });
    next.forEach((t, b) => out[b].push(t));
    if (s < c.greedy.steps - 1) logits = await session.step(next);
  }
  session.dispose();
  return out;
}

describe('routed experts loaded on demand with a bounded LRU', () => {
  let backend: Backend;
  let golden: GlmGolden;
  let loaded: LoadedGlmFlashModel;

  beforeAll(async () => {
    backend = createReferenceBackend();
    golden = await readGolden('glm47flash-tiny-grouped');
    loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir('glm47flash-tiny-grouped'), { storage: 'float32' }, { expertCapacity: 4 });
  });
  afterAll(async () => {
    loaded.model.dispose();
    await loaded.close();
    backend.dispose();
  });

  it('loads no routed expert up front, yet reports every expert tensor as accounted for', () => {
    expect(loaded.model.experts.stats()).toMatchObject({ resident: 0, loads: 0 });
    expect(loaded.report?.missing).toEqual([]);
    expect(loaded.report?.unexpected).toEqual([]);
  });

  it('gives the golden greedy tokens while evicting and reloading experts', async () => {
    for (const [i, c] of golden.cases.entries()) expect(await greedy(loaded, golden, i)).toEqual(c.greedy.tokens);
    const stats = loaded.model.experts.stats();
    expect(stats.evictions).toBeGreaterThan(0);
    expect(stats.loads).toBeGreaterThan(8);
    // One layer may pin up to all 8 experts of a batch; the rest is bounded by the capacity.
    expect(stats.resident).toBeLessThanOrEqual(8);
  });
});
