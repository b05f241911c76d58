import type { Backend, Tensor } from '@pio/core';
import { GatedMlp } from '@pio/core/nn';
import { lastPositionLogits } from '@pio/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import type { GlmFlashModel } from './model.js';
import { MoeBlock } from './moe/moe.js';
import { fixtureDir, maxAbsDiff, readGolden, type GlmGolden } from './testing/golden-fixture.js';
import { GLM_TEST_ENGINES } from './testing/test-backends.js';

// The last layer's attention queries and MLP run only on the positions whose logits a pass returns (the last one of a
// prompt; for a prompt chunk before the last, none: that layer only caches its latents); the logits stay those of the
// full computation.
describe.each(GLM_TEST_ENGINES)('GLM-4.7-Flash output positions on %s', (_engine, createBackend) => {
  let backend: Backend;
  let model: GlmFlashModel;
  let close: () => Promise<void>;
  let golden: GlmGolden;
  /** Shapes of the `[batch, seq, hidden]` inputs of every layer's MLP (dense or MoE), in call order. */
  let mlpInputs: number[][];
  /** Query lengths of every attention call (`q` is `[batch, heads, queries, dim]`), in call order. */
  let queryLengths: number[];

  beforeAll(async () => {
    backend = await createBackend();
    golden = await readGolden('glm47flash-tiny');
    const loaded = await createGlmFlashPlugin.loadModel(backend, fixtureDir('glm47flash-tiny'), { storage: 'float32' });
    ({ model, close } = loaded);
  });
  afterAll(async () => {
    model?.dispose();
    await close?.();
    backend?.dispose();
  });
  afterEach(() => vi.restoreAllMocks());

  const spyMlps = () => {
    mlpInputs = [];
    // a 3-D input is a layer's MLP; the MoE block's shared expert sees the flattened `[tokens, hidden]`
    const record = (x: Tensor) => void (x.shape.length === 3 && mlpInputs.push([...x.shape]));
    const dense = GatedMlp.prototype.forward;
    vi.spyOn(GatedMlp.prototype, 'forward').mockImplementation(function (this: GatedMlp, x: Tensor) {
      record(x);
      return dense.call(this, x);
    });
    const sparse = MoeBlock.prototype.forward;
    vi.spyOn(MoeBlock.prototype, 'forward').mockImplementation(function (this: MoeBlock, x: Tensor) {
      record(x);
      return sparse.call(this, x);
    });
    queryLengths = [];
    const attention = backend.attention.bind(backend);
    vi.spyOn(backend, 'attention').mockImplementation((q, k, v, options) => {
      queryLengths.push(q.shape[2]);
      return attention(q, k, v, options);
    });
  };

  it('prefill: every layer but the last on all positions, the last (queries and MLP) on the last position; logits as prefillAll', async () => {
    const c = golden.cases[1]; // a padded batch of 2
    const [batch, seq] = [c.input_ids.length, c.input_ids[0].length];
    const layers = model.config.numHiddenLayers;
    const prompt = { inputIds: c.input_ids, attentionMask: c.attention_mask };
    const full = model.createSessionWith(prompt, {});
    const expected = await lastPositionLogits(await full.prefillAll());
    full.dispose();

    spyMlps();
    const session = model.createSession(prompt);
    const last = await session.prefill();
    const lastData = (await last.data()) as Float32Array;
    last.dispose();
    session.dispose();
    const hidden = model.config.hiddenSize;
    expect(mlpInputs).toEqual([...Array.from({ length: layers - 1 }, () => [batch, seq, hidden]), [batch, 1, hidden]]);
    expect(queryLengths).toEqual([...Array.from({ length: layers - 1 }, () => seq), 1]);
    // float32 either way; only the row count of the last MLP's products differs (their summation order may)
    expect(maxAbsDiff(lastData, expected, [batch, 1, expected.length / batch]).diff).toBeLessThanOrEqual(1e-4);
  });

  it('chunked prefill: chunks before the last skip the last layer attention and MLP', async () => {
    const c = golden.cases[0];
    const seq = c.input_ids[0].length;
    const layers = model.config.numHiddenLayers;
    const hidden = model.config.hiddenSize;
    spyMlps();
    const session = model.createSessionWith({ inputIds: c.input_ids, attentionMask: c.attention_mask }, {}, { prefillChunkSize: 5 });
    (await session.prefill()).dispose();
    session.dispose();
    const chunk = (n: number) => Array.from({ length: layers - 1 }, () => [1, n, hidden]);
    expect(seq).toBe(12);
    expect(mlpInputs).toEqual([...chunk(5), ...chunk(5), ...chunk(2), [1, 1, hidden]]);
    // the last layer attends in the last chunk only, for its last position
    const queries = (n: number) => Array.from({ length: layers - 1 }, () => n);
    expect(queryLengths).toEqual([...queries(5), ...queries(5), ...queries(2), 1]);
  });
});
