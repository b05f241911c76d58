import { createGgmlBackend, type GgmlBackend } from '@pio/backend-ggml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLImages, Qwen3VLModel } from './qwen3-vl-model.js';
import { greedy } from './testing/golden-suite.js';
import { FIXTURE_DIR, readBin, readGolden } from './testing/golden.js';

// On ggml a graph computes on a worker thread: the event loop serves timers and I/O while the tiny fixture generates,
// and two generations sharing one backend interleave without changing each other's tokens.
describe('Qwen3-VL generation on ggml leaves the event loop free', () => {
  const golden = readGolden();
  const text = golden.cases.find((c: { name: string }) => c.name === 'text');
  const image = golden.cases.find((c: { name: string }) => c.name === 'image');
  const images: Qwen3VLImages = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: golden.preprocess.image_grid_thw };
  let backend: GgmlBackend;
  let model: Qwen3VLModel;
  beforeAll(async () => {
    backend = await createGgmlBackend({ threads: 2 });
    ({ model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR));
  });
  afterAll(() => {
    model?.dispose();
    backend?.dispose();
  });

  // A step computes inside `step()` (recorded, then replayed: see CachedDecoderSession), the prompt in its logits'
  // `data()`: either way the computation runs on the worker thread while the event loop turns.
  it('the prompt and every decode step let a setImmediate queued before them run before their values arrive', async () => {
    const steps = 16;
    const session = model.createSession({ inputIds: text.input_ids, attentionMask: text.attention_mask });
    let turns = 0;
    let ticks = 0;
    const interval = setInterval(() => ticks++, 0);
    const replayedBefore = backend.graphStats().replayed;
    try {
      let turned = false;
      setImmediate(() => (turned = true));
      let logits = await session.prefill();
      for (let s = 0; s < steps; s++) {
        const data = (await logits.data()) as Float32Array;
        logits.dispose();
        if (turned) turns++;
        let best = 0;
        for (let v = 1; v < data.length; v++) if (data[v] > data[best]) best = v;
        if (s === steps - 1) break;
        turned = false;
        setImmediate(() => (turned = true));
        logits = await session.step([best]);
      }
    } finally {
      clearInterval(interval);
      session.dispose();
    }
    expect(turns).toBe(steps);
    expect(ticks).toBeGreaterThan(0);
    expect(backend.graphStats().replayed - replayedBefore).toBeGreaterThan(steps / 2); // the steps measured include replays
  });

  it('two generations running at once on one backend give the tokens and logits of each alone', async () => {
    const steps = 8;
    const aloneText = await greedy(model, text.input_ids, text.attention_mask, steps);
    const aloneImage = await greedy(model, image.input_ids, image.attention_mask, steps, images);
    const [bothText, bothImage] = await Promise.all([
      greedy(model, text.input_ids, text.attention_mask, steps),
      greedy(model, image.input_ids, image.attention_mask, steps, images),
    ]);
    // each alone follows the golden greedy tokens (the fixture's first steps)
    expect(aloneText.tokens[0].slice(0, text.greedy.steps)).toEqual(text.greedy.tokens[0]);
    expect(aloneImage.tokens[0].slice(0, image.greedy.steps)).toEqual(image.greedy.tokens[0]);
    expect(bothText.tokens).toEqual(aloneText.tokens);
    expect(bothImage.tokens).toEqual(aloneImage.tokens);
    for (const [s, logits] of bothText.stepLogits.entries()) expect(logits, `text step ${s}`).toEqual(aloneText.stepLogits[s]);
    for (const [s, logits] of bothImage.stepLogits.entries()) expect(logits, `image step ${s}`).toEqual(aloneImage.stepLogits[s]);
  });

  it('a prompt prefilled in chunks computes chunk by chunk (a graph each, timers firing meanwhile), not as one graph', async () => {
    const chunk = 3;
    const length = image.input_ids[0].length;
    const session = model.session({ inputIds: image.input_ids, attentionMask: image.attention_mask }, images, { prefillChunkSize: chunk });
    const before = backend.graphStats().built;
    let ticks = 0;
    const interval = setInterval(() => ticks++, 0);
    try {
      const logits = await session.prefill();
      // every chunk but the last was computed during prefill(); the last computes at the read
      const duringPrefill = backend.graphStats().built - before;
      await logits.data();
      logits.dispose();
      expect(Math.ceil(length / chunk)).toBeGreaterThan(2);
      // the vision tower adds its own graph(s) before the first chunk
      expect(duringPrefill).toBeGreaterThanOrEqual(Math.ceil(length / chunk) - 1);
    } finally {
      clearInterval(interval);
      session.dispose();
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
