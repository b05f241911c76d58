import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createGlmFlashPlugin } from '@pio/plugin-glm-flash';
import { describe, expect, it } from 'vitest';
import type { BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';
import { compareWithNodeLlamaCpp } from './compare-with-node-llama-cpp.js';
import { runLlamaEngine } from './run-llama-engine.js';

const FIXTURE = join(import.meta.dirname, '../../plugin-glm-flash/src/__fixtures__/glm47flash-tiny-grouped');

/** The PIO side of a GLM folder in-process (the CLI's child runs the plugin the same way): greedy from the golden prompt. */
async function runGlm(request: BenchEngineRequest & { model?: string }, prompt: number[]): Promise<BenchEngineResult> {
  const backend = await createGgmlBackend({ threads: request.threads });
  const loaded = await createGlmFlashPlugin.loadModel(backend, request.model!, {
    storage: request.storage ?? 'float32',
    kvCacheStorage: request.kvCacheStorage,
  });
  try {
    const session = loaded.model.createSession({ inputIds: [prompt], attentionMask: [prompt.map(() => 1)] });
    let t = performance.now();
    let logits = await session.prefill();
    let data = (await logits.data()) as Float32Array;
    const prefillMs = performance.now() - t;
    const tokens: number[] = [];
    const decodeMs: number[] = [];
    for (let s = 0; s <= request.decodeTokens; s++) {
      const next = data.indexOf(Math.max(...data));
      tokens.push(next);
      logits.dispose();
      if (s === request.decodeTokens) break;
      t = performance.now();
      logits = await session.step([next]);
      data = (await logits.data()) as Float32Array;
      decodeMs.push(performance.now() - t);
    }
    session.dispose();
    return { prefillMs, decodeMs, tokens, prompt };
  } finally {
    loaded.model.dispose();
    await loaded.close();
    backend.dispose();
  }
}

describe('compareWithNodeLlamaCpp on a GLM-4.7-Flash folder', () => {
  it('writes the deepseek2 GGUF and both engines agree on every greedy token of the fixture', async () => {
    const golden = JSON.parse(await readFile(join(FIXTURE, 'golden.json'), 'utf8'));
    const prompt: number[] = golden.cases[0].input_ids[0];
    const comparison = await compareWithNodeLlamaCpp({
      model: FIXTURE,
      storages: ['float32'],
      threads: 2,
      promptTokens: prompt.length,
      decodeTokens: 7,
      kvCacheStorage: 'float32',
      runEngine: (request) => (request.engine === 'pio' ? runGlm(request, prompt) : runLlamaEngine(request)),
    });
    expect(comparison.shape).toMatchObject({ vocab: 512, hidden: 64, layers: 3, heads: 4 });
    const [row] = comparison.rows;
    expect(row.pio.raw.tokens).toEqual(golden.cases[0].greedy.tokens[0]);
    expect(row.llama.raw.tokens).toEqual(golden.cases[0].greedy.tokens[0]);
    expect(row.tokensEqual).toBe(row.tokensCompared);
  }, 300_000);
});
