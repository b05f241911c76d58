import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { BenchModelError } from './errors/bench-model-error.js';
import { openQwen3Folder } from './open-qwen3-folder.js';

const QWEN3_VL_TINY = fileURLToPath(new URL('../../plugin-qwen3-vl/src/__fixtures__/qwen3vl-tiny', import.meta.url));

describe('openQwen3Folder', () => {
  it("reads a Qwen3-VL folder's text decoder: shape from text_config, tensors under llama.cpp names", async () => {
    const folder = await openQwen3Folder(QWEN3_VL_TINY);
    try {
      // the fixture's config.json text_config
      expect(folder.shape).toEqual({
        name: 'qwen3vl-tiny',
        vocab: 1024,
        hidden: 64,
        layers: 4,
        heads: 4,
        kvHeads: 2,
        headDim: 32,
        intermediate: 128,
        ropeTheta: 5_000_000,
        eps: 1e-6,
      });
      // embeddings, 11 tensors per layer, final norm; tied embeddings: no output.weight
      expect(folder.tensors).toHaveLength(1 + 4 * 11 + 1);
      expect(folder.tensors.map((t) => t.name)).not.toContain('output.weight');
      const q = folder.tensors.find((t) => t.name === 'blk.3.attn_q.weight');
      expect(q).toMatchObject({ shape: [128, 64], matrix: true });
      expect((await q?.load())?.length).toBe(128 * 64);
      expect(folder.tensors.find((t) => t.name === 'blk.0.attn_k_norm.weight')).toMatchObject({ shape: [32], matrix: false });
    } finally {
      await folder.close();
    }
  });

  it('refuses other architectures and folders without a config', async () => {
    const dir = makeTempDir('pio-bench-model-');
    const missing = await openQwen3Folder(dir).catch((e: unknown) => e);
    expect(BenchModelError.isInstance(missing)).toBe(true);
    expect((missing as BenchModelError).reason).toBe('its config.json could not be read');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama' }));
    const other = await openQwen3Folder(dir).catch((e: unknown) => e);
    expect(BenchModelError.isInstance(other)).toBe(true);
    expect(other).toMatchObject({ modelType: 'llama', reason: 'model_type is llama' });
    expect((other as Error).message).toContain('use --shape for random weights instead');
  });
});
