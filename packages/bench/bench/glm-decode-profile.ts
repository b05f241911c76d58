// PIO alone on a GLM-4.7-Flash folder (ggml, THREADS threads (2), float16 KV cache): ROUNDS sessions of a fixed prompt
// ((i * 7919 + 13) % vocab, the same ids glm-llama-profile.ts gives node-llama-cpp) and greedy steps; prints per round
// prefill tok/s, the median decode step, peak RSS, backend bytes and the expert cache's counters as one JSON line.
// Env: ROUNDS (1), FLASH_ATTENTION (the ggml backend's `flashAttention`: auto, on or off; default auto),
// EXPERT_BUDGET (resident experts per MoE layer; default all), REPACK (1: the ggml backend's `repackWeights`, the
// default; 0: every weight in the plain CPU buffer), READY_FILE (writes the pid after loading and waits 3 s,
// for `perf record -p`), GUESS (1: under an expert budget, decode steps guess their experts in one graph, the
// default; 0: every step reads each MoE layer's routing on the host). Usage: glm-decode-profile.ts <folder> <storage> [prompt] [steps]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createGlmFlashPlugin } from '../../plugin-glm-flash/src/glm-flash-plugin.js';
import { threadsEnv } from '../src/threads-env.js';
import { choiceEnv } from '../src/choice-env.js';
import { intEnv } from '../src/int-env.js';
const [dir, storage, promptLen = '128', steps = '32'] = process.argv.slice(2);
const flashAttention = choiceEnv<'auto' | 'on' | 'off'>('FLASH_ATTENTION', 'auto', ['auto', 'on', 'off']);
const threads = threadsEnv();
const rounds = intEnv('ROUNDS', 1, { what: 'rounds' });
const repackWeights = choiceEnv<'1' | '0'>('REPACK', '1', ['1', '0']) === '1';
const backend = await createGgmlBackend({ threads, flashAttention, repackWeights });
const t0 = performance.now();
const expertBudget = process.env.EXPERT_BUDGET ? intEnv('EXPERT_BUDGET', 64, { min: 1, what: 'resident experts per MoE layer' }) : undefined;
const guessSteps = choiceEnv<'1' | '0'>('GUESS', '1', ['1', '0']) === '1';
const loaded = await createGlmFlashPlugin.loadModel(backend, dir, { storage: storage as never, kvCacheStorage: 'float16', expertBudget }, { guessSteps });
const model = loaded.model;
console.error('load s', ((performance.now() - t0) / 1000).toFixed(1));
if (process.env.READY_FILE) {
  (await import('node:fs')).writeFileSync(process.env.READY_FILE, String(process.pid));
  await new Promise((r) => setTimeout(r, 3000));
}
const vocab = model.vocabSize;
const ids = Array.from({ length: Number(promptLen) }, (_, i) => (i * 7919 + 13) % vocab);
const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};
for (let round = 0; round < rounds; round++) {
  const session = model.createSession({ inputIds: [ids], attentionMask: [ids.map(() => 1)] });
  let t = performance.now();
  let logits = await session.prefill();
  let data = await logits.data();
  const prefill = performance.now() - t;
  const ms: number[] = [];
  const toks: number[] = [];
  for (let i = 0; i < Number(steps); i++) {
    const next = argmax(data);
    toks.push(next);
    logits.dispose();
    t = performance.now();
    logits = await session.step([next]);
    data = await logits.data();
    ms.push(performance.now() - t);
  }
  logits.dispose();
  session.dispose();
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      round,
      expertBudget,
      guessSteps,
      load: loadavg()[0].toFixed(1),
      backendGiB: (backend.memory().bytes / 2 ** 30).toFixed(3),
      peakRssGiB: (Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 2 ** 20).toFixed(3),
      experts: model.experts.stats(),
      graphs: backend.graphStats(),
      prefillTokS: ((ids.length / prefill) * 1000).toFixed(1),
      decodeMedianMs: sorted[sorted.length >> 1].toFixed(1),
      decodeTokS: (1000 / sorted[sorted.length >> 1]).toFixed(2),
      toks,
    }),
  );
}
model.dispose();
await loaded.close();
backend.dispose();
