import type { Tokenizer } from '../../text/tokenizer.js';
import type { RowGenerationOptions } from '../generation-step.js';
import { jsonConstraintFor } from './json-constraint-for.js';
import { tokenVocabularyOf } from './token-vocabulary.js';

/**
 * `options` with the `constraint` its `responseFormat` asks for (over `tokenizer`'s vocabulary for a model of
 * `vocabSize` logits); unchanged when it has no response format or already a constraint.
 *
 * @throws {@link UnsupportedSchemaError} for a schema keyword that cannot be enforced
 */
export function constrainOptions<T extends RowGenerationOptions>(options: T, tokenizer: Tokenizer, vocabSize: number): T {
  if (options.constraint || !options.responseFormat || options.responseFormat.type === 'text') return options;
  const constraint = jsonConstraintFor(options.responseFormat, tokenVocabularyOf(tokenizer, vocabSize));
  return constraint ? { ...options, constraint } : options;
}
