import { InvalidGenerationOptionsError } from '../../errors/invalid-generation-options-error.js';
import type { ResponseFormat } from '../../plugin/generation-options.js';
import { JsonSchemaCompiler } from './compile-json-schema.js';
import type { GrammarNode } from './grammar.js';
import { JsonTokenConstraint } from './json-token-constraint.js';
import type { TokenConstraint } from './token-constraint.js';
import type { TokenVocabulary } from './token-vocabulary.js';

/** Most compiled constraints kept per vocabulary (their mask caches make repeated schemas cheap). */
const MEMO = 32;

/**
 * The constraint of a response format over `vocabulary`, or `undefined` for `text`. Compiled constraints are memoised
 * per vocabulary by schema, so their mask caches serve later requests with the same schema.
 *
 * @throws {@link UnsupportedSchemaError} for a schema keyword that cannot be enforced
 * @throws {@link InvalidGenerationOptionsError} for a malformed response format
 */
export function jsonConstraintFor(format: ResponseFormat, vocabulary: TokenVocabulary): TokenConstraint | undefined {
  if (typeof format !== 'object' || format === null)
    throw new InvalidGenerationOptionsError({
      option: 'responseFormat',
      expected: "an object with type 'text', 'json_object' or 'json_schema'",
      value: format,
    });
  if (format.type === 'text') return undefined;
  if (format.type !== 'json_object' && format.type !== 'json_schema') {
    throw new InvalidGenerationOptionsError({
      option: 'responseFormat.type',
      expected: "'text', 'json_object' or 'json_schema'",
      value: (format as { type: unknown }).type,
    });
  }
  if (format.type === 'json_schema' && (typeof format.schema !== 'object' || format.schema === null) && typeof format.schema !== 'boolean') {
    throw new InvalidGenerationOptionsError({ option: 'responseFormat.schema', expected: 'a JSON Schema object', value: format.schema });
  }
  const key = format.type === 'json_object' ? 'json_object' : `schema:${JSON.stringify(format.schema)}`;
  return memoised(vocabulary, key, () => {
    const compiler = new JsonSchemaCompiler(format.type === 'json_schema' ? format.schema : {});
    const grammar = format.type === 'json_object' ? jsonObjectGrammar(compiler) : compiler.compile();
    return new JsonTokenConstraint(grammar, vocabulary, format.type === 'json_object' ? 'json-object' : 'json-schema');
  });
}

/** JSON mode: any JSON object. */
function jsonObjectGrammar(compiler: JsonSchemaCompiler): GrammarNode {
  return { kind: 'object', id: compiler.id(), properties: [], additional: compiler.anyValue() };
}

/** Looks `key` up in the vocabulary's constraint memo, building (and keeping at most {@link MEMO}) on a miss. */
export function memoised(vocabulary: TokenVocabulary, key: string, build: () => TokenConstraint): TokenConstraint {
  const memo = vocabulary.constraints as Map<string, TokenConstraint>;
  let constraint = memo.get(key);
  if (constraint) {
    memo.delete(key);
  } else {
    constraint = build();
    if (memo.size >= MEMO) memo.delete(memo.keys().next().value!);
  }
  memo.set(key, constraint);
  return constraint;
}
