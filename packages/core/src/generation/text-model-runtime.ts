import { UnsupportedInputError } from '../errors/unsupported-input-error.js';
import type { ChatMessage, ContentPart } from '../plugin/chat.js';
import type { FinishReason } from '../plugin/generation-options.js';
import type {
  BatchGenerationRequest,
  ChatCompletionDelta,
  ChatCompletionRequest,
  GenerateInput,
  GenerateResult,
  GenerateTextOptions,
  GenerateTextResult,
  TextDelta,
  TextInferInput,
  TextModelPluginInterface,
  TokenDelta,
} from '../plugin/text-model-plugin-interface.js';
import type { CausalLM } from '../model/causal-lm.js';
import type { ChatTemplate } from '../text/chat-template.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { createPlainOutputParser, type AssistantOutputParser } from './assistant-output-parser.js';
import { createChatDeltaMapper } from './chat-delta-mapper.js';
import { collectChatCompletion } from './collect-chat-completion.js';
import { collectImages, imagesOfContent, type ImageInput } from './collect-images.js';
import type { TokenConstraint } from './constraints/token-constraint.js';
import { prepareTokenVocabulary } from './constraints/token-vocabulary.js';
import type { GenerationDefaults } from './generation-defaults.js';
import { generationOptionsOf } from './generation-options-of.js';
import { resolveGenerationOptions } from './resolve-generation-options.js';
import { streamPreparedBatch, type PreparedBatchRow } from './stream-prepared-batch.js';
import { streamText as streamRows, type TextGenerationDelta } from './stream-text.js';
import type { ToolCallGrammar } from './constraints/tool-call-grammar.js';
import { toolCallConstraint } from './constraints/tool-call-constraint.js';

/** A prompt ready for a model: token ids and the model-specific extras (e.g. preprocessed images). */
export interface PreparedPrompt<Extras> {
  inputIds: number[];
  extras?: Extras;
}

/** Model-specific hooks of {@link createTextModelRuntime}. */
export interface TextModelRuntimeOptions<Extras = undefined> {
  /** The model. */
  model: CausalLM<Extras>;
  /** Its tokenizer. */
  tokenizer: Tokenizer;
  /** Its chat template, if it has one (needed by chat methods). */
  chatTemplate?: ChatTemplate;
  /** Defaults from `generation_config.json` (`loadGenerationConfig`); callers' options override them. */
  generationDefaults?: GenerationDefaults;
  /**
   * Turns prompt text and its images (in order) into model input. Default: encode the text; images are refused.
   * Vision models expand their image placeholders and preprocess the images here.
   */
  prepareInput?: (prompt: { text: string; images: readonly ImageInput[] }, options: { signal?: AbortSignal }) => Promise<PreparedPrompt<Extras>>;
  /** Model extras from a raw `generate()` input (e.g. `pixelValues` + `imageGridThw`). Default: none. */
  extrasOf?: (input: TextInferInput) => Extras | undefined;
  /** A parser for the assistant's raw output (reasoning, tool calls). Default: everything is answer text. */
  createOutputParser?: (context: { prompt: string; request: ChatCompletionRequest }) => AssistantOutputParser;
  /**
   * Merges the extras of several prompts, in row order (`undefined` for prompts without), into the extras of one batch,
   * for models whose `createSession` takes extras for several rows (e.g. the images of every row, in order). Without
   * it, `streamBatch` runs prompts with extras alone.
   */
  combineExtras?: (extras: readonly (Extras | undefined)[]) => Extras | undefined;
  /** Template variables a request implies (e.g. `enable_thinking` from `enableThinking`). */
  templateVariables?: (request: ChatCompletionRequest) => Record<string, unknown>;
  /** The model's tool-call format, for forced tool calls (`toolChoice` `required` or a named tool). Without it, those are refused. */
  toolCallGrammar?: ToolCallGrammar;
}

/** The text and chat surface of a text model plugin, built by {@link createTextModelRuntime}. */
export interface TextModelRuntime
  extends Pick<
    TextModelPluginInterface,
    'tokenize' | 'detokenize' | 'generate' | 'streamGenerate' | 'generateText' | 'streamText' | 'chatCompletion' | 'streamChatCompletion'
  > {
  /** {@link TextModelPluginInterface.streamBatch}: requests share one batch; one with extras (images) runs alone unless `combineExtras` is given. */
  streamBatch(requests: readonly BatchGenerationRequest[]): AsyncIterable<ChatCompletionDelta>[];
  /** Renders a chat request to its prompt text (what the model sees, before image expansion). */
  renderChat(request: ChatCompletionRequest): string;
}

/**
 * Builds the text, chat and token-level generation methods of `TextModelPluginInterface` over a {@link CausalLM},
 * its tokenizer and chat template, so a model plugin writes only what is model-specific (input preparation for
 * images, output parsing for reasoning and tool calls).
 */
export function createTextModelRuntime<Extras = undefined>(options: TextModelRuntimeOptions<Extras>): TextModelRuntime {
  const { model, tokenizer, chatTemplate } = options;
  const defaults = options.generationDefaults ?? {};
  const prepareInput =
    options.prepareInput ??
    (async ({ text, images }: { text: string; images: readonly ImageInput[] }): Promise<PreparedPrompt<Extras>> => {
      if (images.length > 0) throw new UnsupportedInputError({ input: 'images', hint: 'send text only, or use a vision-language model.' });
      return { inputIds: tokenizer.encode(text) };
    });

  const renderChat = (request: ChatCompletionRequest): string => {
    if (!chatTemplate) throw new UnsupportedInputError({ input: 'chat', hint: 'it has no chat template; use generateText with chat: false.' });
    return chatTemplate.render({
      messages: request.messages,
      tools: request.toolChoice === 'none' ? undefined : request.tools,
      addGenerationPrompt: true,
      ...options.templateVariables?.(request),
      ...request.templateOptions,
    });
  };

  const rows = (prepared: PreparedPrompt<Extras>, generation: GenerateTextOptions | ChatCompletionRequest, constraint?: TokenConstraint) =>
    streamRows(
      model,
      tokenizer,
      { inputIds: [prepared.inputIds], extras: prepared.extras },
      {
        ...resolveGenerationOptions(defaults, generationOptionsOf(generation)),
        ...(constraint ? { constraint } : {}),
      },
    );
  /** The constraint of a forced tool call, if the request forces one. */
  const toolConstraint = (request: ChatCompletionRequest, prompt: string) =>
    toolCallConstraint(request, prompt, { tokenizer, vocabSize: model.vocabSize, grammar: options.toolCallGrammar });

  /** The prompt text and images of a `generateText` call (templated as one user message unless `chat: false`). */
  const textPrompt = (prompt: string | ContentPart[], textOptions: GenerateTextOptions = {}): { text: string; images: ImageInput[] } => {
    const useChat = textOptions.chat ?? chatTemplate !== undefined;
    const extraImages = [
      ...(textOptions.images ?? []),
      ...((textOptions as { image?: ImageInput }).image === undefined ? [] : [(textOptions as { image: ImageInput }).image]),
    ];
    if (useChat) {
      const content: ContentPart[] = [
        ...extraImages.map((image): ContentPart => ({ type: 'image', image })),
        ...(typeof prompt === 'string' ? [{ type: 'text' as const, text: prompt }] : prompt),
      ];
      const messages: ChatMessage[] = [...(textOptions.system ? [{ role: 'system' as const, content: textOptions.system }] : []), { role: 'user', content }];
      return { text: renderChat({ messages }), images: collectImages(messages) };
    }
    const text = typeof prompt === 'string' ? prompt : prompt.map((part) => (part.type === 'text' ? part.text : '')).join('');
    return { text, images: [...extraImages, ...(typeof prompt === 'string' ? [] : imagesOfContent(prompt))] };
  };

  /**
   * A constrained request (response format or forced tool call) needs the vocabulary's mask tables: the first one of a
   * model builds them here in steps that give the event loop turns, so the synchronous constraint code finds them ready.
   */
  const prepareConstraints = async (request: { responseFormat?: { type: string }; toolChoice?: unknown } | undefined): Promise<void> => {
    const forced = request?.toolChoice !== undefined && request.toolChoice !== 'auto' && request.toolChoice !== 'none';
    const formatted = request?.responseFormat !== undefined && request.responseFormat.type !== 'text';
    if (forced || formatted) await prepareTokenVocabulary(tokenizer, model.vocabSize);
  };

  async function* streamPrompt(prompt: string | ContentPart[], textOptions: GenerateTextOptions = {}): AsyncGenerator<TextGenerationDelta> {
    await prepareConstraints(textOptions);
    yield* rows(await prepareInput(textPrompt(prompt, textOptions), { signal: textOptions.signal }), textOptions);
  }

  /** A batch request ready to run: its input, resolved options and output parser. */
  const prepareBatchRow = async (entry: BatchGenerationRequest): Promise<PreparedBatchRow<Extras>> => {
    await prepareConstraints(entry.kind === 'chat' ? entry.request : entry.options);
    if (entry.kind === 'chat') {
      const { request } = entry;
      const prompt = renderChat(request);
      const prepared = await prepareInput({ text: prompt, images: collectImages(request.messages) }, { signal: request.signal });
      const parser = options.createOutputParser?.({ prompt, request }) ?? createPlainOutputParser();
      const constraint = toolConstraint(request, prompt);
      return { ...prepared, options: { ...resolveGenerationOptions(defaults, generationOptionsOf(request)), ...(constraint ? { constraint } : {}) }, parser };
    }
    const prepared = await prepareInput(textPrompt(entry.prompt, entry.options), { signal: entry.options?.signal });
    return { ...prepared, options: resolveGenerationOptions(defaults, generationOptionsOf(entry.options ?? {})), parser: createPlainOutputParser() };
  };

  async function* streamChat(request: ChatCompletionRequest): AsyncGenerator<ChatCompletionDelta> {
    await prepareConstraints(request);
    const prompt = renderChat(request);
    const constraint = toolConstraint(request, prompt);
    const prepared = await prepareInput({ text: prompt, images: collectImages(request.messages) }, { signal: request.signal });
    const toChat = createChatDeltaMapper(options.createOutputParser?.({ prompt, request }) ?? createPlainOutputParser());
    for await (const delta of rows(prepared, request, constraint)) {
      const out = toChat(delta);
      if (out) yield out;
    }
  }

  async function* streamTokens(input: GenerateInput, finishReasons: FinishReason[]): AsyncGenerator<TokenDelta> {
    const mask = input.attentionMask;
    const inputIds = input.inputIds.map((row, b) => (mask ? row.filter((_, j) => mask[b][j] !== 0) : [...row]));
    const stream = streamRows(
      model,
      tokenizer,
      { inputIds, extras: options.extrasOf?.(input) },
      resolveGenerationOptions(defaults, generationOptionsOf(input)),
    );
    for await (const delta of stream) {
      if (delta.finishReason) finishReasons[delta.row] = delta.finishReason;
      if (delta.token !== undefined) yield { row: delta.row, token: delta.token, text: delta.text, ...(delta.logprob ? { logprob: delta.logprob } : {}) };
    }
  }

  return {
    renderChat,
    tokenize: (text) => tokenizer.encode(text),
    detokenize: (ids, decodeOptions) => tokenizer.decode(ids, decodeOptions),

    async generate(input) {
      const tokens: number[][] = input.inputIds.map(() => []);
      const finishReasons: FinishReason[] = input.inputIds.map(() => 'length');
      for await (const delta of streamTokens(input, finishReasons)) tokens[delta.row].push(delta.token);
      return { tokens, finishReasons };
    },

    streamGenerate: (input) => streamTokens(input, []),

    async generateText(prompt, textOptions) {
      const result: GenerateTextResult = { text: '', tokens: [], finishReason: 'length', usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
      for await (const delta of streamPrompt(prompt, textOptions)) {
        result.text += delta.text;
        if (delta.token !== undefined) result.tokens.push(delta.token);
        if (delta.logprob) (result.logprobs ??= []).push(delta.logprob);
        if (delta.finishReason) result.finishReason = delta.finishReason;
        if (delta.usage) result.usage = delta.usage;
      }
      return result;
    },

    async *streamText(prompt, textOptions) {
      for await (const delta of streamPrompt(prompt, textOptions)) {
        if (delta.token === undefined && !delta.text) continue;
        yield { text: delta.text, tokens: delta.token === undefined ? [] : [delta.token], ...(delta.logprob ? { logprobs: [delta.logprob] } : {}) };
      }
    },

    chatCompletion: (request) => collectChatCompletion(streamChat(request)),

    streamChatCompletion: (request) => streamChat(request),

    streamBatch: (requests) =>
      streamPreparedBatch(
        model,
        tokenizer,
        requests.map((request) => () => prepareBatchRow(request)),
        {
          ...(defaults.padTokenId === undefined ? {} : { padTokenId: defaults.padTokenId }),
          ...(options.combineExtras ? { combineExtras: options.combineExtras } : {}),
        },
      ),
  };
}
