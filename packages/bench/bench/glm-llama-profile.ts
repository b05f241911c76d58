// node-llama-cpp alone on a GLM-4.7-Flash GGUF (written by glm-write-gguf.ts or `pio bench --compare`): ROUNDS runs of
// the prompt glm-decode-profile.ts uses, greedy, THREADS threads (2), float16 KV cache; prints prefill tok/s, the
// median decode step and the tokens as one JSON line per round. Usage: glm-llama-profile.ts <gguf> [prompt] [steps]
import { runLlamaEngine } from '../src/run-llama-engine.js';
import { threadsEnv } from '../src/threads-env.js';
import { intEnv } from '../src/int-env.js';
const [gguf, promptLen = '128', steps = '32'] = process.argv.slice(2);
const threads = threadsEnv();
const rounds = intEnv('ROUNDS', 1, { what: 'rounds' });
const vocab = 154880;
const prompt = Array.from({ length: Number(promptLen) }, (_, i) => (i * 7919 + 13) % vocab);
for (let round = 0; round < rounds; round++) {
  const r = await runLlamaEngine({
    engine: 'node-llama-cpp',
    storage: 'q8_0',
    shape: {} as never,
    seed: 0,
    ggufPath: gguf,
    prompt,
    promptTokens: prompt.length,
    decodeTokens: Number(steps),
    threads,
    kvCacheStorage: 'float16',
  });
  const sorted = [...r.decodeMs].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      prefillTokS: ((prompt.length / r.prefillMs) * 1000).toFixed(1),
      decodeMedianMs: sorted[sorted.length >> 1].toFixed(1),
      decodeTokS: (1000 / sorted[sorted.length >> 1]).toFixed(2),
      toks: r.tokens,
    }),
  );
}
