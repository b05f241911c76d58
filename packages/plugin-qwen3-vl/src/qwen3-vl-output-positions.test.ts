import { createGgmlBackend } from '@pio/backend-ggml';
import type { Backend, Tensor } from '@pio/core';
import { GatedMlp } from '@pio/core/nn';
import { createReferenceBackend, lastPositionLogits } from '@pio/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLModel } from './qwen3-vl-model.js';
import { FIXTURE_DIR, maxAbsDiff, readBin, readGolden } from './testing/golden.js';

// The last decoder layer's attention queries and MLP run only on the positions whose logits a pass returns (the last
// one of a prompt; for a prompt chunk before the last, none: that layer only caches its keys and values); the logits
// stay those of the full computation.
const engines: Array<[string, () => Promise<Backend>]> = [
  ['reference', async () => createReferenceBackend()],
  ['ggml', () => createGgmlBackend({ threads: 2 })],
];

describe.each(engines)('Qwen3-VL output positions on %s', (_engine, createBackend) => {
  const golden = readGolden();
  const images = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: golden.preprocess.image_grid_thw };
  let backend: Backend;
  let model: Qwen3VLModel;
  /** Shapes of the text decoder layers' MLP inputs (`[batch, seq, hidden]`), in call order. */
  let mlpInputs: number[][];
  /** Query lengths of the text decoder's attention calls (`q` is `[batch, heads, queries, headDim]`), in call order. */
  let queryLengths: number[];

  beforeAll(async () => {
    backend = await createBackend();
    ({ model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR));
  });
  afterAll(() => backend?.dispose());
  afterEach(() => vi.restoreAllMocks());

  const spyMlps = () => {
    mlpInputs = [];
    const hidden = model.config.text.hiddenSize;
    const forward = GatedMlp.prototype.forward;
    vi.spyOn(GatedMlp.prototype, 'forward').mockImplementation(function (this: GatedMlp, x: Tensor) {
      if (x.shape.length === 3 && x.shape[2] === hidden) mlpInputs.push([...x.shape]);
      return forward.call(this, x);
    });
    queryLengths = [];
    const attention = backend.attention.bind(backend);
    vi.spyOn(backend, 'attention').mockImplementation((q, k, v, options) => {
      if (q.shape[1] === model.config.text.numHeads) queryLengths.push(q.shape[2]);
      return attention(q, k, v, options);
    });
  };

  it.each(['text', 'batch_image_text'])('%s: the last layer queries and MLP on the last position only; logits as prefillAll', async (name) => {
    const c = golden.cases.find((x: { name: string }) => x.name === name);
    const [batch, seq] = [c.input_ids.length, c.input_ids[0].length];
    const { numLayers, hiddenSize } = model.config.text;
    const withImages = name.includes('image') ? images : undefined;
    const full = model.session({ inputIds: c.input_ids, attentionMask: c.attention_mask }, withImages);
    const expected = await lastPositionLogits(await full.prefillAll());
    full.dispose();

    spyMlps();
    const session = model.session({ inputIds: c.input_ids, attentionMask: c.attention_mask }, withImages);
    const last = await session.prefill();
    const lastData = (await last.data()) as Float32Array;
    last.dispose();
    session.dispose();
    // DeepStack features go into the first layers only, so the last layer still selects with images
    expect(mlpInputs).toEqual([...Array.from({ length: numLayers - 1 }, () => [batch, seq, hiddenSize]), [batch, 1, hiddenSize]]);
    expect(queryLengths).toEqual([...Array.from({ length: numLayers - 1 }, () => seq), 1]);
    // float32 either way; only the row count of the last MLP's products differs (their summation order may)
    expect(maxAbsDiff(lastData, expected)).toBeLessThanOrEqual(1e-4);
  });

  it('chunked prefill: chunks before the last skip the last layer attention and MLP', async () => {
    const c = golden.cases.find((x: { name: string }) => x.name === 'text');
    const seq = c.input_ids[0].length;
    const { numLayers, hiddenSize } = model.config.text;
    spyMlps();
    const session = model.session({ inputIds: c.input_ids, attentionMask: c.attention_mask }, undefined, { prefillChunkSize: 4 });
    (await session.prefill()).dispose();
    session.dispose();
    const chunk = (n: number) => Array.from({ length: numLayers - 1 }, () => [1, n, hiddenSize]);
    const sizes = Array.from({ length: Math.ceil(seq / 4) }, (_, i) => Math.min(4, seq - 4 * i));
    expect(sizes.length).toBeGreaterThan(1);
    expect(mlpInputs).toEqual([...sizes.flatMap((n) => chunk(n)), [1, 1, hiddenSize]]);
    // the last layer attends in the last chunk only, for its last position
    expect(queryLengths).toEqual([...sizes.flatMap((n) => Array.from({ length: numLayers - 1 }, () => n)), 1]);
  });
});
