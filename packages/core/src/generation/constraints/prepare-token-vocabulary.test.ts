import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../../text/create-tokenizer.js';
import { QWEN3_TOKENIZER_DIR, qwen3TestTokenizer } from '../../text/__fixtures__/qwen3-tokenizer.js';
import { prepareTokenVocabulary, tokenVocabularyOf } from './token-vocabulary.js';

function freshQwen3Tokenizer() {
  const read = (file: string) => JSON.parse(readFileSync(`${QWEN3_TOKENIZER_DIR}/${file}`, 'utf8')) as Record<string, unknown>;
  return createTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
}

/** Byte equality of two typed arrays (or both absent): `toEqual` on 150k-element arrays takes tens of seconds. */
function sameArray(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean {
  if (!a || !b) return a === b;
  return a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Every typed-array field of `a` equals that of `b`, and both have the same fields. */
function sameFields(a: object, b: object): boolean {
  const keys = Object.keys(a).sort();
  if (keys.join() !== Object.keys(b).sort().join()) return false;
  return keys.every((key) => sameArray((a as Record<string, ArrayBufferView | undefined>)[key], (b as Record<string, ArrayBufferView | undefined>)[key]));
}

describe('prepareTokenVocabulary (the real Qwen3 vocabulary)', () => {
  it('gives the event loop turns while it builds, shares one build, and leaves the memo tokenVocabularyOf reads', async () => {
    const { tokenizer } = qwen3TestTokenizer();
    // A chain of setImmediate callbacks advances once per event-loop turn; a build that held the loop would let it run once.
    let turns = 0;
    let running = true;
    const probe = () => {
      turns++;
      if (running) setImmediate(probe);
    };
    setImmediate(probe);
    const [first, second] = await Promise.all([prepareTokenVocabulary(tokenizer), prepareTokenVocabulary(tokenizer)]);
    running = false;
    expect(second).toBe(first);
    expect(tokenVocabularyOf(tokenizer)).toBe(first);
    // 19 slices of token bytes, the trie, and 28 string-state tables: a turn before each.
    expect(turns).toBeGreaterThanOrEqual(40);
  });

  it('builds the same tables as the one-shot tokenVocabularyOf', async () => {
    // 151,936 logits (the model's rows, more than the tokenizer's ids): not the size the test above prepared.
    const stepwise = await prepareTokenVocabulary(qwen3TestTokenizer().tokenizer, 151_936);
    const oneShot = tokenVocabularyOf(freshQwen3Tokenizer(), 151_936);
    expect(stepwise === oneShot).toBe(false); // not .not.toBe: on distinct objects it deep-compares them for its hint
    expect(stepwise.size).toBe(oneShot.size);
    expect(stepwise.bytes.length).toBe(oneShot.bytes.length);
    expect(stepwise.bytes.every((bytes, id) => sameArray(bytes, oneShot.bytes[id]))).toBe(true);
    expect(sameFields(stepwise.trie, oneShot.trie)).toBe(true);
    expect(sameFields(stepwise.exits.trie, oneShot.exits.trie)).toBe(true);
    expect(stepwise.exits.nodeOf.size).toBe(oneShot.exits.nodeOf.size);
    expect([...stepwise.exits.nodeOf].every(([key, node]) => oneShot.exits.nodeOf.get(key) === node)).toBe(true);
    for (const kind of ['json', 'raw'] as const) {
      expect(stepwise.stringTables[kind]).toHaveLength(oneShot.stringTables[kind].length);
      stepwise.stringTables[kind].forEach((table, state) => expect(sameFields(table, oneShot.stringTables[kind][state]), `${kind} state ${state}`).toBe(true));
    }
  });
});
