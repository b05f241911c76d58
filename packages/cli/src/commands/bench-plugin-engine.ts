import type { BenchEngineRequest, BenchEngineResult } from '@pio/bench';
import type { CommandContext } from './command.js';
import { loadModel } from './load-model.js';
import { modelRootsOf } from './model-roots.js';
import { syntheticPrompt } from './synthetic-prompt.js';

/**
 * The PIO side of `pio bench --model <folder> --compare node-llama-cpp`, in the engine child: loads the folder with
 * its plugin (on the ggml backend, which the parent selects through `PIO_BACKEND`), tokenizes a synthetic prompt of
 * about `request.promptTokens` tokens, and times a greedy plain-text generation: prefill is the time to the first
 * token, each decode step the time between tokens. Reports the prompt ids so node-llama-cpp runs the same prompt.
 */
export async function runBenchPluginEngine(context: CommandContext, request: BenchEngineRequest & { model: string }): Promise<BenchEngineResult> {
  const host = context.services.createHost({
    modelRoots: modelRootsOf(context.io.cwd, [request.model]),
    device: 'cpu',
    storage: request.storage,
    kvCache: request.kvCacheStorage,
  });
  try {
    const model = await loadModel(host, context.err, { id: 'bench', source: request.model });
    const text = syntheticPrompt(model.plugin.tokenize.bind(model.plugin), request.promptTokens);
    const prompt = model.plugin.tokenize(text);
    if (request.warmupTokens) {
      const options = { chat: false, temperature: 0, maxNewTokens: request.warmupTokens + 1, eosTokenIds: [] };
      for await (const _ of model.plugin.streamText(text, options));
    }
    const tokens: number[] = [];
    const decodeMs: number[] = [];
    const started = performance.now();
    let last = started;
    let prefillMs = 0;
    for await (const delta of model.plugin.streamText(text, { chat: false, temperature: 0, maxNewTokens: request.decodeTokens + 1, eosTokenIds: [] })) {
      const now = performance.now();
      if (tokens.length === 0) prefillMs = now - started;
      // a delta may carry several tokens (text held back mid-character): spread its time over them
      else for (const _ of delta.tokens) decodeMs.push((now - last) / delta.tokens.length);
      tokens.push(...delta.tokens);
      last = now;
    }
    return { prefillMs, decodeMs, tokens, prompt };
  } finally {
    await host.close();
  }
}
