import { InvalidGenerationOptionsError } from '../../errors/invalid-generation-options-error.js';
import type { ChatCompletionRequest } from '../../plugin/text-model-plugin-interface.js';
import type { Tokenizer } from '../../text/tokenizer.js';
import { GrammarBuilder } from './grammar-builder.js';
import { memoised } from './json-constraint-for.js';
import { JsonTokenConstraint } from './json-token-constraint.js';
import type { TokenConstraint } from './token-constraint.js';
import type { ToolCallGrammar } from './tool-call-grammar.js';
import { tokenVocabularyOf } from './token-vocabulary.js';

/**
 * The constraint a chat request's `toolChoice` asks for: `undefined` for `auto`/`none`/unset; for `required` or a
 * named tool, exactly one call in the model's format (`grammar`), memoised per vocabulary by tools and prompt ending.
 *
 * @throws {@link InvalidGenerationOptionsError} (`toolChoice`) without tools, for an unknown tool name, a malformed
 * choice, or a model without a tool-call format
 * @throws {@link UnsupportedSchemaError} for a parameters schema that cannot be enforced
 */
export function toolCallConstraint(
  request: ChatCompletionRequest,
  prompt: string,
  model: { tokenizer: Tokenizer; vocabSize: number; grammar?: ToolCallGrammar },
): TokenConstraint | undefined {
  const choice = request.toolChoice;
  if (choice === undefined || choice === 'auto' || choice === 'none') return undefined;
  const fail = (expected: string): never => {
    throw new InvalidGenerationOptionsError({ option: 'toolChoice', expected, value: choice });
  };
  if (choice !== 'required' && (typeof choice !== 'object' || choice === null || typeof choice.name !== 'string'))
    fail("'auto', 'none', 'required' or { name }");
  const tools = request.tools ?? [];
  if (tools.length === 0) fail("'auto' or 'none' when the request has no tools");
  const chosen = choice === 'required' ? tools : tools.filter((tool) => tool.function.name === (choice as { name: string }).name);
  if (chosen.length === 0) fail(`the name of one of the request's tools (${tools.map((tool) => tool.function.name).join(', ')})`);
  const build = model.grammar;
  if (!build) return fail("'auto' or 'none': this model has no tool-call format for forced calls");
  const vocabulary = tokenVocabularyOf(model.tokenizer, model.vocabSize);
  const key = `tools:${JSON.stringify(chosen)}:${prompt.slice(-64)}`;
  return memoised(vocabulary, key, () => {
    const grammar = new GrammarBuilder();
    return new JsonTokenConstraint(build({ prompt, tools: chosen, grammar }), vocabulary, 'tool-call');
  });
}
