import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigError, modelPluginMetadataSchema, PluginStateError, type LoadProgress } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';
import { FIXTURE_DIR, readBin, readGolden } from './testing/golden.js';
import { logitsBound, maskedMaxAbsDiff } from './testing/golden-suite.js';

const golden = readGolden();
const configJson = JSON.parse(readFileSync(join(FIXTURE_DIR, 'config.json'), 'utf8'));

describe('Qwen3VLPlugin', () => {
  it('declares valid metadata and recognises Qwen3-VL configs only', () => {
    const plugin = createQwen3VLPlugin();
    expect(plugin.specificationVersion).toBe('v1');
    expect(plugin.kind).toBe('text');
    expect(modelPluginMetadataSchema.parse(plugin.metadata).name).toBe('qwen3-vl');
    expect(plugin.supportsConfig(configJson)).toBe(true);
    expect(plugin.supportsConfig({ ...configJson, model_type: 'llama', architectures: ['LlamaForCausalLM'] })).toBe(false);
    expect(plugin.supportsConfig({ model_type: 'qwen3_vl' })).toBe(false);
    expect(plugin.supportsConfig(null)).toBe(false);
    expect(() => plugin.estimateMemory({ model_type: 'qwen3_vl' }, 'float32')).toThrow();
    try {
      plugin.estimateMemory({ model_type: 'qwen3_vl' }, 'float32');
    } catch (error) {
      expect(InvalidConfigError.isInstance(error)).toBe(true);
    }
  });

  it('loads the fixture folder, runs infer with an image, and frees everything on cleanup', async () => {
    const backend = createReferenceBackend();
    const plugin = createQwen3VLPlugin();
    await expect(plugin.infer({ inputIds: [[1]] })).rejects.toSatisfy((e: unknown) => PluginStateError.isInstance(e));
    await plugin.initialize({ backend });
    const phases: LoadProgress['phase'][] = [];
    await plugin.loadModel({ modelPath: FIXTURE_DIR, onProgress: (p) => phases.push(p.phase) });
    expect([...new Set(phases)]).toEqual(['config', 'weights', 'tokenizer', 'ready']);
    const c = golden.cases.find((x: { name: string }) => x.name === 'batch_image_text');
    const out = await plugin.infer({
      inputIds: c.input_ids,
      attentionMask: c.attention_mask,
      pixelValues: readBin(golden.preprocess.pixel_values),
      imageGridThw: golden.preprocess.image_grid_thw,
    });
    const ref = readBin(c.logits);
    expect(maskedMaxAbsDiff(out.logits.data, ref.data, ref.shape, c.attention_mask)).toBeLessThanOrEqual(logitsBound(ref.data));
    await expect(
      plugin.infer({
        inputIds: c.input_ids,
        attentionMask: c.attention_mask,
        pixelValues: { data: new Float32Array(1536), shape: [1, 1536] },
        imageGridThw: [[1, 2, 2]],
      }),
    ).rejects.toSatisfy((e: unknown) => InvalidQwen3VLInputError.isInstance(e));
    await plugin.cleanup();
    await plugin.cleanup();
    expect(backend.memory().tensors).toBe(0);
  });
});
