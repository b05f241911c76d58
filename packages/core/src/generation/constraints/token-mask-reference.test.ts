import { describe, expect, it } from 'vitest';
import { qwen3TestTokenizer } from '../../text/__fixtures__/qwen3-tokenizer.js';
import { createRng } from '../rng.js';
import { JsonSchemaCompiler } from './compile-json-schema.js';
import type { GrammarNode } from './grammar.js';
import { GrammarBuilder } from './grammar-builder.js';
import { isComplete, type MatchState, startState, stepState } from './json-matcher.js';
import { JsonTokenConstraint } from './json-token-constraint.js';
import { type TokenVocabulary, tokenVocabularyOf } from './token-vocabulary.js';

/**
 * The reference a mask must equal: every token whose bytes the matcher accepts from `state`, found by walking the whole
 * byte trie with the matcher (exact, since the matcher rejects a prefix iff it rejects every extension of it). No
 * lexer tables, suffix tries or caches are involved.
 */
function referenceAllowed(vocabulary: TokenVocabulary, state: MatchState): Set<number> {
  const { edgeStart, edgeByte, edgeNode, tokenStart, tokenIds } = vocabulary.trie;
  const allowed = new Set<number>();
  const visit = (node: number, current: MatchState): void => {
    for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
      const next = stepState(current, edgeByte[e]);
      if (next.length === 0) continue;
      const child = edgeNode[e];
      for (let t = tokenStart[child]; t < tokenStart[child + 1]; t++) allowed.add(tokenIds[t]);
      visit(child, next);
    }
  };
  visit(0, state);
  return allowed;
}

describe('token masks equal a full matcher walk of the real Qwen3 vocabulary, state by state', () => {
  const { tokenizer } = qwen3TestTokenizer();
  const vocabulary = tokenVocabularyOf(tokenizer, 151_936);
  const eos = tokenizer.eosTokenId!;
  const idOf = (bytes: number[]) => vocabulary.bytes.findIndex((b) => b !== undefined && b.length === bytes.length && b.every((x, i) => x === bytes[i]));
  const bytesOf = (text: string) => [...new TextEncoder().encode(text)];

  /**
   * Follows `forced` tokens first, then random-logit argmax steps, comparing the constraint's mask with the reference
   * at every step (allowed ids and the EOS rule).
   */
  const check = (grammar: GrammarNode, forced: number[][], seed: number, steps: number) => {
    const constraint = new JsonTokenConstraint(grammar, vocabulary);
    const row = constraint.start();
    let state: MatchState = startState(grammar);
    const rng = createRng(seed);
    const logits = new Float32Array(vocabulary.size);
    for (let step = 0; step < steps && !row.finished; step++) {
      for (let i = 0; i < logits.length; i++) logits[i] = rng.nextFloat();
      row.mask(logits, new Set([eos]));
      const expected = referenceAllowed(vocabulary, state);
      const actual = new Set<number>();
      let best = -1;
      logits.forEach((value, id) => {
        if (value === -Infinity || id === eos) return;
        actual.add(id);
        if (best < 0 || value > logits[best]) best = id;
      });
      const missing = [...expected].filter((id) => !actual.has(id)).slice(0, 5);
      const extra = [...actual].filter((id) => !expected.has(id)).slice(0, 5);
      expect({ step, missing, extra }).toEqual({ step, missing: [], extra: [] });
      expect(logits[eos] !== -Infinity, `EOS at step ${step}`).toBe(isComplete(state));
      const token = step < forced.length ? idOf(forced[step]) : best;
      if (step < forced.length) expect(expected.has(token), `forced token ${forced[step]} at step ${step}`).toBe(true);
      if (token < 0) break; // nothing allowed but EOS
      row.accept(token);
      for (const b of vocabulary.bytes[token]!) state = stepState(state, b);
    }
  };

  it('plain strings with lengths, mid-character states, escapes and \\u escapes', () => {
    const grammar = new JsonSchemaCompiler({
      type: 'object',
      properties: { a: { type: 'string', minLength: 2, maxLength: 7 }, b: { type: 'array', items: { type: 'string', maxLength: 3 }, maxItems: 2 } },
      required: ['a', 'b'],
    }).compile();
    // {"a":" then the lead byte E4 (a 3-byte character), its two continuation bytes, \, u, D, 7 …
    const forced = [bytesOf('{"'), bytesOf('a'), bytesOf('":"'), [0xe4], [0xbd], [0xa0], bytesOf('\\'), bytesOf('u'), bytesOf('D'), bytesOf('7')];
    check(grammar, forced, 1, 40);
    check(grammar, forced.slice(0, 3), 2, 40);
  });

  it('string formats, a choice of two strings, nullable and anyOf values', () => {
    const grammar = new JsonSchemaCompiler({
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        mail: { type: 'string', format: 'email' },
        pick: { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'string', format: 'date' }, { type: 'integer' }] },
        note: { type: ['string', 'null'], maxLength: 4 },
        either: {
          anyOf: [
            { type: 'string', maxLength: 12 },
            { type: 'string', format: 'date' },
          ],
        },
      },
      required: ['id', 'mail', 'pick', 'note', 'either'],
    }).compile();
    check(grammar, [], 3, 40);
    // Right after the opening quote both strings are alive: the mask is the union of a (mostly denied) plain-string
    // mask and a format's.
    const either = new JsonSchemaCompiler({
      anyOf: [
        { type: 'string', maxLength: 12 },
        { type: 'string', format: 'date' },
      ],
    }).compile();
    check(either, [bytesOf('"')], 7, 6);
  });

  it('raw text arguments ending before a tag (tool-call formats)', () => {
    const g = new GrammarBuilder();
    const grammar = g.sequence(
      g.text('<call>'),
      g.rawString({ type: 'string', minLength: 1, maxLength: 6 }),
      g.text('</a><b>'),
      g.rawString({ type: 'string', format: 'date' }),
      g.text('</b>'),
      g.json({ type: 'object', properties: { x: { type: 'string' } }, required: ['x'] }),
    );
    check(grammar, [], 5, 30);
  });
});
