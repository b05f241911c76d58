import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGgmlRowEncoder } from '@pio/backend-ggml';
import { openCheckpoint } from '@pio/core/weights';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { runLlamaEngine } from './run-llama-engine.js';
import { writeGlmGguf } from './write-glm-gguf.js';

// The deepseek2 GGUF written from PIO's GLM-4.7-Flash golden fixtures (F32) makes llama.cpp produce the fixtures'
// greedy tokens: the name/layout mapping (MLA k_b/v_b split, stacked experts, sigmoid group-limited routing keys) is
// the model the plugin runs, so the side-by-side benchmark compares like with like.
describe('writeGlmGguf', () => {
  it.each(['glm47flash-tiny', 'glm47flash-tiny-grouped'])(
    '%s: node-llama-cpp reproduces the golden greedy tokens',
    async (fixture) => {
      const dir = join(import.meta.dirname, '../../plugin-glm-flash/src/__fixtures__', fixture);
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      const golden = JSON.parse(await readFile(join(dir, 'golden.json'), 'utf8'));
      const out = makeTempDir('pio-glm-gguf-');
      const checkpoint = await openCheckpoint(dir);
      const path = join(out, 'model.gguf');
      try {
        await writeGlmGguf(await createGgmlRowEncoder(), path, checkpoint, config, 'float32');
      } finally {
        await checkpoint.close();
      }
      const c = golden.cases[0];
      const prompt: number[] = c.input_ids[0];
      const expected: number[] = c.greedy.tokens[0];
      const r = await runLlamaEngine({
        engine: 'node-llama-cpp',
        storage: 'float32',
        shape: { name: fixture, vocab: config.vocab_size, hidden: 0, layers: 0, heads: 0, kvHeads: 0, headDim: 0, intermediate: 0, ropeTheta: 0, eps: 0 },
        seed: 0,
        ggufPath: path,
        prompt,
        promptTokens: prompt.length,
        decodeTokens: expected.length - 1,
        threads: 2,
        kvCacheStorage: 'float32',
      });
      expect(r.tokens).toEqual(expected);
    },
    300_000,
  );
});
