import type { BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';
import { loadNodeLlamaCpp, type NodeLlamaCppImporter } from './load-node-llama-cpp.js';

/** Runs node-llama-cpp on the request's GGUF (CPU, greedy): prefill, then decode steps. Internal. */
export async function runLlamaEngine(request: BenchEngineRequest, importer?: NodeLlamaCppImporter): Promise<BenchEngineResult> {
  const { prompt, decodeTokens, threads } = request;
  const { getLlama } = await loadNodeLlamaCpp(importer);
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, maxThreads: threads });
  try {
    const model = await llama.loadModel({ modelPath: request.ggufPath, gpuLayers: 0 });
    const kvType = request.kvCacheStorage === 'float32' ? 'F32' : 'F16';
    const context = await model.createContext({
      contextSize: Math.max(512, prompt.length + decodeTokens + 8),
      batchSize: prompt.length,
      threads,
      flashAttention: false,
      experimentalKvCacheKeyType: kvType,
      experimentalKvCacheValueType: kvType,
    });
    const sequence = context.getSequence();
    const asTokens = (ids: number[]) => ids as unknown as Parameters<typeof sequence.evaluate>[0];
    if (request.warmupTokens) {
      const warm = sequence.evaluate(asTokens(prompt), { temperature: 0 });
      for (let s = 0; s <= request.warmupTokens; s++) if ((await warm.next()).done) break;
      await warm.return(undefined);
      await sequence.clearHistory();
    }
    let t = performance.now();
    const iterator = sequence.evaluate(asTokens(prompt), { temperature: 0 });
    const first = await iterator.next();
    const prefillMs = performance.now() - t;
    const tokens: number[] = [Number(first.value)];
    const decodeMs: number[] = [];
    for (let s = 0; s < decodeTokens; s++) {
      t = performance.now();
      const r = await iterator.next();
      if (r.done) break;
      decodeMs.push(performance.now() - t);
      tokens.push(Number(r.value));
    }
    await iterator.return(undefined);
    await context.dispose();
    await model.dispose();
    return { prefillMs, decodeMs, tokens };
  } finally {
    await llama.dispose();
  }
}
