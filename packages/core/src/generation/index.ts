/**
 * `@pio/core/generation`: the generation engine over `CausalLM`, sampling, logits processors, stopping and streaming.
 *
 * @module @pio/core/generation
 */
export { generateTokens } from './generate-tokens.js';
export type {
  GenerateTokensInput,
  GenerateTokensOptions,
  RowGenerationOptions,
  GenerationStep,
  RowToken,
  RowFinish,
  TokenGeneration,
} from './generation-step.js';
export { streamText, type TextGenerationOptions, type TextGenerationDelta } from './stream-text.js';
export { generateText, collectText, type TextGenerationResult } from './generate-text.js';
export { StopStringMatcher, type StopStringMatch } from './stop-string-matcher.js';
export { DEFAULT_MAX_NEW_TOKENS, type GenerationDefaults } from './generation-defaults.js';
export { loadGenerationConfig, parseGenerationConfig } from './load-generation-config.js';
export { resolveGenerationOptions, isSampling } from './resolve-generation-options.js';
export { buildLogitsProcessors } from './build-logits-processors.js';
export type { LogitsProcessor, LogitsContext } from './logits-processors/logits-processor.js';
export { createTemperatureProcessor } from './logits-processors/temperature.js';
export { createTopKProcessor } from './logits-processors/top-k.js';
export { createTopPProcessor } from './logits-processors/top-p.js';
export { createMinPProcessor } from './logits-processors/min-p.js';
export { createRepetitionPenaltyProcessor } from './logits-processors/repetition-penalty.js';
export { createPresenceFrequencyPenaltyProcessor } from './logits-processors/presence-frequency-penalty.js';
export { createRng, xoshiro128StarStar, type Rng } from './rng.js';
export { argMax, sampleToken } from './sample-token.js';
export { tokenLogprobs, type TokenLogprobs } from './token-logprobs.js';
export { topIndices } from './top-indices.js';
export { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
export { ModelOutputError, type ModelOutputProblem } from '../errors/model-output-error.js';
export { createTextModelRuntime, type TextModelRuntime, type TextModelRuntimeOptions, type PreparedPrompt } from './text-model-runtime.js';
export { createPlainOutputParser, type AssistantOutputParser, type AssistantOutput, type AssistantOutputDelta } from './assistant-output-parser.js';
export { collectImages, imagesOfContent, type ImageInput } from './collect-images.js';
export { generationOptionsOf } from './generation-options-of.js';
export { streamPreparedBatch, type PreparedBatchRow, type BatchOptions } from './stream-prepared-batch.js';
export { createChatDeltaMapper } from './chat-delta-mapper.js';
export { collectChatCompletion } from './collect-chat-completion.js';
export type { TokenConstraint, TokenConstraintState } from './constraints/token-constraint.js';
export { compileJsonSchema, JsonSchemaCompiler } from './constraints/compile-json-schema.js';
export type {
  GrammarNode,
  ObjectNode,
  ArrayNode,
  StringNode,
  NumberNode,
  LiteralNode,
  ChoiceNode,
  SequenceNode,
  FormatPattern,
} from './constraints/grammar.js';
export { GrammarBuilder } from './constraints/grammar-builder.js';
export { JsonTokenConstraint } from './constraints/json-token-constraint.js';
export { jsonConstraintFor } from './constraints/json-constraint-for.js';
export { constrainOptions } from './constraints/constrain-options.js';
export { tokenVocabularyOf, prepareTokenVocabulary, createTokenVocabulary, type TokenVocabulary } from './constraints/token-vocabulary.js';
export type { TokenTrie } from './constraints/token-trie.js';
export type { ExitSuffixes, StringMaskTable } from './constraints/string-mask-table.js';
export { toolCallConstraint } from './constraints/tool-call-constraint.js';
export { toolParameters, type ToolCallGrammar } from './constraints/tool-call-grammar.js';
export { STRING_FORMAT_SOURCES } from './constraints/string-formats.js';
export { UnsupportedSchemaError } from '../errors/unsupported-schema-error.js';
