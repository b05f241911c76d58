import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { qwen3TestTokenizer } from '../../text/__fixtures__/qwen3-tokenizer.js';
import { UnsupportedSchemaError } from '../../errors/unsupported-schema-error.js';
import { randomWalk } from './__fixtures__/random-walk.js';
import { TEST_SCHEMAS } from './__fixtures__/test-schemas.js';
import { jsonConstraintFor } from './json-constraint-for.js';
import { tokenVocabularyOf } from './token-vocabulary.js';

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);

describe('JSON constraints over the real Qwen3 vocabulary (random logits: validity cannot come from the model)', () => {
  const { tokenizer } = qwen3TestTokenizer();
  const vocabulary = tokenVocabularyOf(tokenizer, 151_936);
  const eos = tokenizer.eosTokenId!;

  it('maps byte-level tokens to their bytes, multi-byte and partial UTF-8 ones included; special tokens have none', () => {
    const encoder = new TextEncoder();
    for (const text of ['Hello', ' world', '你好', ' café', '。']) {
      const [id] = tokenizer.encode(text);
      expect(vocabulary.bytes[id], text).toEqual(encoder.encode(text));
    }
    expect(vocabulary.bytes[eos]).toBeUndefined();
    expect(vocabulary.bytes[tokenizer.vocabSize + 1]).toBeUndefined(); // padding rows of the embedding
    // Some tokens are parts of a character: a lead byte without its continuation bytes.
    const partial = vocabulary.bytes.filter((b) => b && b.length > 0 && new TextDecoder().decode(b).includes('\uFFFD'));
    expect(partial.length).toBeGreaterThan(1000);
  });

  for (const [name, schema] of Object.entries(TEST_SCHEMAS)) {
    it(`every output of schema "${name}" parses and validates (10 seeds)`, () => {
      const validate = ajv.compile(schema);
      const constraint = jsonConstraintFor({ type: 'json_schema', schema }, vocabulary)!;
      for (let seed = 0; seed < 10; seed++) {
        const out = randomWalk(constraint, vocabulary, { seed, eos, maxSteps: 600 });
        expect(out.ended, out.text).not.toBe('length');
        const value = JSON.parse(out.text);
        expect(validate(value), `${out.text}\n${JSON.stringify(validate.errors)}`).toBe(true);
      }
    });
  }

  it('json_object mode gives JSON objects', () => {
    const constraint = jsonConstraintFor({ type: 'json_object' }, vocabulary)!;
    let finished = 0;
    for (let seed = 0; seed < 12; seed++) {
      const out = randomWalk(constraint, vocabulary, { seed, eos, maxSteps: 150 });
      if (out.ended === 'length') continue; // free-form strings may run long
      finished++;
      const value = JSON.parse(out.text);
      expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
    }
    expect(finished).toBeGreaterThan(0);
  });

  it('lets multi-byte tokens into strings, partial characters only where their continuation can follow', () => {
    const constraint = jsonConstraintFor({ type: 'json_schema', schema: { type: 'string' } }, vocabulary)!;
    const state = constraint.start();
    state.accept(tokenizer.encode('"')[0]);
    const logits = new Float32Array(vocabulary.size);
    state.mask(logits, new Set([eos]));
    const [ni] = tokenizer.encode('你好');
    expect(logits[ni]).toBe(0);
    expect(logits[eos]).toBe(-Infinity);
    // "你" is E4 BD A0: a token holding only a continuation byte cannot start a character.
    const continuation = vocabulary.bytes.findIndex((b) => b?.length === 1 && b[0] === 0xa0);
    expect(logits[continuation]).toBe(-Infinity);
    const lead = vocabulary.bytes.findIndex((b) => b?.length === 1 && b[0] === 0xe4);
    expect(logits[lead]).toBe(0);
    state.accept(lead);
    logits.fill(0);
    state.mask(logits, new Set([eos]));
    expect(logits[continuation]).toBe(0); // after E4 come two bytes in 80–BF
    const bd = vocabulary.bytes.findIndex((b) => b?.length === 1 && b[0] === 0xbd);
    expect(logits[bd]).toBe(0);
    expect(logits[tokenizer.encode('"')[0]]).toBe(-Infinity); // no closing quote inside a character
    expect(logits[tokenizer.encode('a')[0]]).toBe(-Infinity);
  });

  it('allows EOS only once the value is complete, and ends after a closing brace', () => {
    const constraint = jsonConstraintFor({ type: 'json_schema', schema: { type: 'integer', maximum: 40 } }, vocabulary)!;
    const state = constraint.start();
    const logits = new Float32Array(vocabulary.size);
    state.mask(logits, new Set([eos]));
    expect(logits[eos]).toBe(-Infinity);
    state.accept(tokenizer.encode('4')[0]);
    logits.fill(0);
    state.mask(logits, new Set([eos]));
    expect(logits[eos]).toBe(0);
    expect(logits[tokenizer.encode('9')[0]]).toBe(-Infinity); // 49 > 40
    expect(logits[tokenizer.encode('0')[0]]).toBe(0);
    state.accept(tokenizer.encode('0')[0]);
    expect(state.finished).toBe(false); // a number could go on; EOS ends it
    const object = jsonConstraintFor({ type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'boolean' } } } }, vocabulary)!.start();
    for (const token of tokenizer.encode('{"a":true}')) object.accept(token);
    expect(object.finished).toBe(true);
  });

  it('rejects unsupported keywords with a typed error naming them', () => {
    const cases: Array<[unknown, string, string]> = [
      [{ type: 'string', pattern: '^a' }, 'pattern', '#'],
      [{ type: 'object', properties: { n: { type: 'number', multipleOf: 2 } } }, 'multipleOf', '#/properties/n'],
      [{ allOf: [{ type: 'string' }] }, 'allOf', '#'],
      [{ type: 'string', format: 'hostname' }, 'format', '#'],
      [{ $ref: 'https://example.com/s.json' }, '$ref', '#'],
      [{ type: 'array', items: { type: 'integer' }, uniqueItems: true }, 'uniqueItems', '#'],
    ];
    for (const [schema, keyword, path] of cases) {
      let error: unknown;
      try {
        jsonConstraintFor({ type: 'json_schema', schema: schema as Record<string, unknown> }, vocabulary);
      } catch (e) {
        error = e;
      }
      expect(UnsupportedSchemaError.isInstance(error), JSON.stringify(schema)).toBe(true);
      expect((error as UnsupportedSchemaError).keyword).toBe(keyword);
      expect((error as UnsupportedSchemaError).schemaPath).toBe(path);
    }
  });
});
