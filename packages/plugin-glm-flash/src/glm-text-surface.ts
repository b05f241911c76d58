import type {
  CausalLM,
  ChatCompletionDelta,
  ChatCompletionRequest,
  ChatCompletionResult,
  ChatMessage,
  ContentPart,
  FinishReason,
  GenerateInput,
  GenerateResult,
  GenerateTextOptions,
  GenerateTextResult,
  TextDelta,
  TextModelPluginInterface,
  TokenDelta,
  TokenLogprob,
} from '@pio/core';
import { generateTokens, loadGenerationConfig, resolveGenerationOptions, streamText, type GenerationDefaults } from '@pio/core/generation';
import { createDetokenizer, loadChatTemplate, loadTokenizer, type ChatTemplate, type Tokenizer } from '@pio/core/text';
import { GlmOutputStreamParser } from './chat/glm-output-stream-parser.js';
import { parseGlmOutput } from './chat/parse-glm-output.js';
import type { GlmFlashConfig } from './glm-flash-config.js';

/** The text and chat half of {@link TextModelPluginInterface}, for a loaded GLM-4.7-Flash. */
export type GlmTextSurface = Pick<
  TextModelPluginInterface,
  'tokenize' | 'detokenize' | 'generate' | 'streamGenerate' | 'generateText' | 'streamText' | 'chatCompletion' | 'streamChatCompletion'
>;

/** Rows without their left padding (the engine pads again itself). */
function unpad(input: GenerateInput): number[][] {
  return input.inputIds.map((row, b) => row.filter((_, t) => (input.attentionMask?.[b]?.[t] ?? 1) === 1));
}

/** A rendered chat prompt and whether the model starts inside a think block. */
interface ChatPrompt {
  ids: number[];
  startsInReasoning: boolean;
}

/**
 * Builds the text surface on core's generation engine: GLM-4.7's template (`[gMASK]<sop>`, thinking on unless
 * `enableThinking: false`), its EOS ids (`<|endoftext|>`, `<|user|>`, `<|observation|>`), and output parsing into
 * `reasoning_content`, `content` and `tool_calls`.
 */
export async function createGlmTextSurface(
  model: CausalLM & { readonly config: Pick<GlmFlashConfig, 'eosTokenIds' | 'padTokenId'> },
  modelDir: string,
): Promise<GlmTextSurface> {
  const tokenizer: Tokenizer = await loadTokenizer(modelDir);
  const template: ChatTemplate = await loadChatTemplate(modelDir);
  const fileDefaults = await loadGenerationConfig(modelDir).catch(() => ({}) as GenerationDefaults);
  const defaults: GenerationDefaults = {
    ...fileDefaults,
    eosTokenIds: fileDefaults.eosTokenIds ?? model.config.eosTokenIds,
    padTokenId: fileDefaults.padTokenId ?? model.config.padTokenId,
  };

  const chatPrompt = (request: ChatCompletionRequest): ChatPrompt => {
    const thinking = request.enableThinking;
    const text = template.render({
      ...request.templateOptions,
      messages: request.messages,
      tools: request.tools,
      addGenerationPrompt: true,
      ...(thinking === undefined ? {} : { enable_thinking: thinking }),
    });
    return { ids: tokenizer.encode(text), startsInReasoning: thinking !== false };
  };
  const promptIds = (prompt: string | ContentPart[], options: GenerateTextOptions): ChatPrompt => {
    const textOf = (p: string | ContentPart[]) => (typeof p === 'string' ? p : p.map((part) => (part.type === 'text' ? part.text : '')).join(''));
    if (options.chat === false) return { ids: tokenizer.encode(textOf(prompt)), startsInReasoning: false };
    const messages: ChatMessage[] = [...(options.system ? [{ role: 'system' as const, content: options.system }] : []), { role: 'user', content: prompt }];
    return chatPrompt({ messages });
  };
  const textStream = (ids: number[], options: GenerateTextOptions | ChatCompletionRequest) =>
    streamText(model, tokenizer, { inputIds: [ids] }, resolveGenerationOptions(defaults, stripRequest(options)));

  const surface: GlmTextSurface = {
    tokenize: (text) => tokenizer.encode(text),
    detokenize: (ids, options) => tokenizer.decode(ids, { skipSpecialTokens: options?.skipSpecialTokens ?? false }),

    async generate(input) {
      const result: GenerateResult = { tokens: input.inputIds.map(() => []), finishReasons: input.inputIds.map(() => 'length' as FinishReason) };
      for await (const step of generateTokens(model, { inputIds: unpad(input) }, resolveGenerationOptions(defaults, stripRequest(input)))) {
        for (const t of step.tokens) result.tokens[t.row].push(t.token);
        for (const f of step.finished) result.finishReasons[f.row] = f.reason;
      }
      return result;
    },

    async *streamGenerate(input) {
      const detokenizers = input.inputIds.map(() => createDetokenizer(tokenizer, { skipSpecialTokens: true }));
      for await (const step of generateTokens(model, { inputIds: unpad(input) }, resolveGenerationOptions(defaults, stripRequest(input)))) {
        for (const t of step.tokens) {
          const delta: TokenDelta = { row: t.row, token: t.token, text: detokenizers[t.row].push(t.token) };
          if (t.logprob !== undefined) delta.logprob = { token: t.token, text: tokenizer.decode([t.token]), logprob: t.logprob };
          yield delta;
        }
      }
    },

    async generateText(prompt, options = {}) {
      const { ids } = promptIds(prompt, options);
      const out: GenerateTextResult = { text: '', tokens: [], finishReason: 'length', usage: { promptTokens: ids.length, completionTokens: 0, totalTokens: ids.length } };
      for await (const delta of textStream(ids, options)) {
        out.text += delta.text;
        if (delta.token !== undefined) out.tokens.push(delta.token);
        if (delta.logprob) (out.logprobs ??= []).push(delta.logprob);
        if (delta.finishReason) out.finishReason = delta.finishReason;
        if (delta.usage) out.usage = delta.usage;
      }
      return out;
    },

    async *streamText(prompt, options = {}) {
      const { ids } = promptIds(prompt, options);
      for await (const delta of textStream(ids, options)) {
        if (delta.text || delta.token !== undefined) yield { text: delta.text, tokens: delta.token === undefined ? [] : [delta.token], ...(delta.logprob ? { logprobs: [delta.logprob] } : {}) } satisfies TextDelta;
      }
    },

    async chatCompletion(request) {
      const prompt = chatPrompt(request);
      let text = '';
      let finishReason: FinishReason = 'length';
      let usage = { promptTokens: prompt.ids.length, completionTokens: 0, totalTokens: prompt.ids.length };
      let logprobs: TokenLogprob[] | undefined;
      for await (const delta of textStream(prompt.ids, request)) {
        text += delta.text;
        if (delta.logprob) (logprobs ??= []).push(delta.logprob);
        if (delta.finishReason) finishReason = delta.finishReason;
        if (delta.usage) usage = delta.usage;
      }
      const parsed = parseGlmOutput(text, { startsInReasoning: prompt.startsInReasoning, tools: request.tools });
      const message: ChatCompletionResult['message'] = {
        role: 'assistant',
        content: parsed.content === '' && parsed.toolCalls.length > 0 ? null : parsed.content,
        ...(parsed.reasoning !== undefined ? { reasoning_content: parsed.reasoning } : {}),
        ...(parsed.toolCalls.length > 0 ? { tool_calls: parsed.toolCalls } : {}),
      };
      return { message, finishReason: parsed.toolCalls.length > 0 && finishReason === 'stop' ? 'tool_calls' : finishReason, usage, ...(logprobs ? { logprobs } : {}) };
    },

    async *streamChatCompletion(request) {
      const prompt = chatPrompt(request);
      const parser = new GlmOutputStreamParser({ startsInReasoning: prompt.startsInReasoning, tools: request.tools });
      let sawToolCall = false;
      const toDelta = (d: ReturnType<GlmOutputStreamParser['push']>[number]): ChatCompletionDelta => {
        if (d.toolCalls) sawToolCall = true;
        return { ...(d.content !== undefined ? { content: d.content } : {}), ...(d.reasoning !== undefined ? { reasoning: d.reasoning } : {}), ...(d.toolCalls ? { toolCalls: d.toolCalls } : {}) };
      };
      for await (const delta of textStream(prompt.ids, request)) {
        for (const piece of parser.push(delta.text)) yield toDelta(piece);
        if (delta.finishReason) {
          for (const piece of parser.finish()) yield toDelta(piece);
          const finishReason: FinishReason = sawToolCall && delta.finishReason === 'stop' ? 'tool_calls' : delta.finishReason;
          yield { finishReason, ...(delta.usage ? { usage: delta.usage } : {}) };
        }
      }
    },
  };
  return surface;
}

/** Generation options of a request (drops prompt fields the engine does not take). */
function stripRequest<T extends object>(request: T): GenerationDefaults {
  const { inputIds: _i, attentionMask: _a, pixelValues: _p, imageGridThw: _g, messages: _m, tools: _t, enableThinking: _e, templateOptions: _o, images: _im, chat: _c, system: _s, ...rest } =
    request as Record<string, unknown>;
  return rest as GenerationDefaults;
}
