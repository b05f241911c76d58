import type { Backend } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import { writeCheckpointCopy } from './testing/checkpoint-copies.js';
import { fixtureDir, maxAbsDiff, readBin, readGolden, type GlmGolden } from './testing/golden-fixture.js';

const fixture = 'glm47flash-tiny';

describe('checkpoint formats (BF16 with F32 router bias, sharded)', () => {
  let backend: Backend;
  let golden: GlmGolden;

  async function prefill(dir: string): Promise<Float32Array> {
    const loaded = await createGlmFlashPlugin.loadModel(backend, dir, { storage: 'float32' });
    expect(loaded.report?.missing).toEqual([]);
    expect(loaded.report?.unexpected).toEqual([]);
    const c = golden.cases[1];
    const logits = await loaded.model.forward({ inputIds: c.input_ids, attentionMask: c.attention_mask, positions: c.position_ids });
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    loaded.model.dispose();
    await loaded.close();
    return data;
  }

  beforeAll(async () => {
    backend = createReferenceBackend();
    golden = await readGolden(fixture);
  });
  afterAll(() => backend.dispose());

  it('a 3-shard F32 copy gives the golden logits', async () => {
    const dir = await writeCheckpointCopy(makeTempDir('pio-glm-copy-'), fixtureDir(fixture), { shards: 3 });
    const c = golden.cases[1];
    const { diff } = maxAbsDiff(await prefill(dir), await readBin(fixture, c.logits.file), c.logits.shape, (b, t) => c.attention_mask[b][t] === 1);
    expect(diff).toBeLessThanOrEqual(golden.tolerances.logits_max_abs);
  });

  it('a sharded BF16 copy decodes exactly to the BF16-rounded F32 weights, and stays near the golden logits', async () => {
    const bf16 = await writeCheckpointCopy(makeTempDir('pio-glm-copy-'), fixtureDir(fixture), { encoding: 'bf16', shards: 2 });
    const rounded = await writeCheckpointCopy(makeTempDir('pio-glm-copy-'), fixtureDir(fixture), { encoding: 'bf16-rounded-f32' });
    const c = golden.cases[1];
    const valid = (b: number, t: number) => c.attention_mask[b][t] === 1;
    const fromBf16 = await prefill(bf16);
    expect(maxAbsDiff(fromBf16, await prefill(rounded), c.logits.shape, valid).diff).toBeLessThanOrEqual(1e-6);
    // BF16 keeps 8 mantissa bits: measured max abs logit error 0.184 on this case (max |logit| 9.2, i.e. 2%);
    // the bound leaves ~2x margin while still catching a wrong decode (which lands at the logit scale, ~10).
    expect(maxAbsDiff(fromBf16, await readBin(fixture, c.logits.file), c.logits.shape, valid).diff).toBeLessThanOrEqual(0.4);
  });
});
