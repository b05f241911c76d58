// node-llama-cpp alone on a bench GGUF of the Qwen3-0.6B shape (written by `pnpm bench` with PIO_BENCH_DIR): ROUNDS
// runs of the bench prompt, greedy, float16 KV cache; prints prefill tok/s and the median decode step per round.
// Env: ROUNDS (3), THREADS (2), PROMPT (prompt ids, 128), STEPS (64). Usage: dense-llama-profile.ts <gguf>
import { loadavg } from 'node:os';
import { benchPrompt } from '../src/bench-prompt.js';
import { runLlamaEngine } from '../src/run-llama-engine.js';
import { threadsEnv } from '../src/threads-env.js';
import { intEnv } from '../src/int-env.js';
const [gguf] = process.argv.slice(2);
const prompt = benchPrompt(intEnv('PROMPT', 128, { what: 'prompt ids' }), 151936);
const threads = threadsEnv();
const rounds = intEnv('ROUNDS', 3, { what: 'rounds' });
const steps = intEnv('STEPS', 64, { what: 'decode steps' });
for (let round = 0; round < rounds; round++) {
  const r = await runLlamaEngine({
    engine: 'node-llama-cpp',
    storage: 'q8_0',
    shape: {} as never,
    seed: 0,
    ggufPath: gguf as string,
    prompt,
    promptTokens: prompt.length,
    decodeTokens: steps,
    threads,
    kvCacheStorage: 'float16',
  });
  const sorted = [...r.decodeMs].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      load: loadavg()[0].toFixed(2),
      prefillTokS: ((prompt.length / r.prefillMs) * 1000).toFixed(1),
      stepMs: sorted[sorted.length >> 1].toFixed(2),
      tokS: (1000 / sorted[sorted.length >> 1]).toFixed(2),
      toks: r.tokens.slice(0, 8),
    }),
  );
}
