// Greedy agreement of PIO and node-llama-cpp on a GLM-4.7-Flash folder and its GGUF, teacher-forced on llama's greedy
// tokens: at every step, each engine's top token and, where they differ, both engines' logit gap between the two
// tokens, next to how far the engines' logits differ anyway (max over llama's top tokens of the difference of
// logit-minus-top-logit), and the median and largest of that over all steps. Usage: glm-agreement.ts <folder> <gguf> <storage> [promptTokens] [steps]
import { createGgmlBackend } from '@pio/backend-ggml';
import { createGlmFlashPlugin } from '../../plugin-glm-flash/src/glm-flash-plugin.js';
import { loadNodeLlamaCpp } from '../src/load-node-llama-cpp.js';

const [dir, gguf, storage, promptLen = '128', stepsArg = '32'] = process.argv.slice(2);
const steps = Number(stepsArg);
const vocabSize = 154880;
const prompt = Array.from({ length: Number(promptLen) }, (_, i) => (i * 7919 + 13) % vocabSize);

// llama: greedy from the probabilities at temperature 1 (the ratios of the top tokens are exp of logit gaps)
const { getLlama } = await loadNodeLlamaCpp();
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, maxThreads: 2 });
const lm = await llama.loadModel({ modelPath: gguf, gpuLayers: 0 });
const ctx = await lm.createContext({
  contextSize: 512,
  batchSize: prompt.length,
  threads: 2,
  flashAttention: false,
  experimentalKvCacheKeyType: 'F16',
  experimentalKvCacheValueType: 'F16',
});
const seq = ctx.getSequence();
const llamaSteps: Array<Map<number, number>> = [];
const forced: number[] = [];
const gen = seq.evaluateWithMetadata(prompt as never, { probabilities: true }, { temperature: 1, topK: 64, topP: 1 });
let r = await gen.next();
for (let s = 0; s <= steps && !r.done; s++) {
  const probs = r.value.probabilities as Map<number, number>;
  llamaSteps.push(new Map([...probs].map(([t, p]) => [Number(t), Math.log(p)])));
  const top = Number([...probs.keys()][0]);
  forced.push(top);
  if (s === steps) break;
  r = await gen.next(top as never);
}
await gen.return(undefined);
await ctx.dispose();
await lm.dispose();
await llama.dispose();

const backend = await createGgmlBackend({ threads: 2 });
const loaded = await createGlmFlashPlugin.loadModel(backend, dir, { storage: storage as never, kvCacheStorage: 'float16' });
const session = loaded.model.createSession({ inputIds: [prompt], attentionMask: [prompt.map(() => 1)] });
let logits = await session.prefill();
let agree = 0;
const rows: string[] = [];
const spreads: number[] = [];
let span = 0; // how far llama's top tokens reach below its top, in PIO's logits (the scale the spreads compare with)
for (let s = 0; s < llamaSteps.length; s++) {
  const v = (await logits.data()) as Float32Array;
  logits.dispose();
  let top = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[top]) top = i;
  const l = llamaSteps[s];
  const lTop = forced[s];
  // engines' discrepancy: (logit - top logit) compared over llama's top tokens
  let spread = 0;
  for (const [t, lp] of l) spread = Math.max(spread, Math.abs(v[t] - v[lTop] - (lp - l.get(lTop)!)));
  spreads.push(spread);
  for (const t of l.keys()) span = Math.max(span, v[lTop] - v[t]);
  if (top === lTop) agree++;
  else {
    const pioGap = v[top] - v[lTop];
    const llamaGap = l.has(top) ? l.get(lTop)! - l.get(top)! : Number.NaN;
    rows.push(
      `step ${s}: PIO ${top} over llama's ${lTop} by ${pioGap.toFixed(4)} (PIO logits); llama prefers ${lTop} by ${llamaGap.toFixed(4)}; engines differ by up to ${spread.toFixed(4)} over llama's top ${l.size}`,
    );
  }
  if (s < llamaSteps.length - 1) logits = await session.step([forced[s]]);
}
session.dispose();
loaded.model.dispose();
await loaded.close();
backend.dispose();
console.log(`${storage}: top token equal at ${agree} of ${llamaSteps.length} teacher-forced steps`);
const sorted = [...spreads].sort((a, b) => a - b);
console.log(
  `engines' logits relative to the top differ, per step over llama's top tokens, by median ${sorted[sorted.length >> 1].toFixed(4)}, max ${sorted[sorted.length - 1].toFixed(4)} (those tokens reach ${span.toFixed(2)} below the top)`,
);
for (const row of rows) console.log(row);
