import {
  PLUGIN_SPEC_VERSION,
  type ChatCompletionDelta,
  type ChatCompletionRequest,
  type ChatCompletionResult,
  type ContentPart,
  type GenerateResult,
  type GenerateTextOptions,
  type GenerateTextResult,
  type MemoryEstimate,
  type ModelPluginMetadata,
  type TextDelta,
  type TextModelPluginInterface,
  type TokenDelta,
  type TokenLogprob,
} from '@pio/core';

/** Behaviour knobs of {@link EchoTextPlugin}. */
export interface EchoTextPluginOptions {
  /** Milliseconds between streamed words. Default 0. */
  delayMs?: number;
}

/**
 * A fake text model for server and CLI tests: answers `echo: <words of the last user text>` word by
 * word, `[image N bytes]` for each image, and calls a tool named in the prompt as `call <tool>`.
 * Counts the generations it started, finished and saw aborted.
 */
export class EchoTextPlugin implements TextModelPluginInterface {
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  readonly kind = 'text' as const;
  readonly metadata: ModelPluginMetadata = {
    name: 'echo',
    version: '0.0.0',
    description: 'Echoes its prompt (tests only).',
    architectures: ['EchoForCausalLM'],
    modelTypes: ['echo'],
    modalities: { input: ['text', 'image'], output: ['text'] },
    license: 'Apache-2.0',
    requiredTrust: 'sandboxed',
  };
  started = 0;
  finished = 0;
  aborted = 0;
  /** The last request's options, for assertions. */
  lastOptions: GenerateTextOptions | ChatCompletionRequest | undefined;

  constructor(private readonly options: EchoTextPluginOptions = {}) {}

  async initialize(): Promise<void> {}
  supportsConfig(config: unknown): boolean {
    return (config as { model_type?: string } | null)?.model_type === 'echo';
  }
  estimateMemory(_config: unknown, storage: MemoryEstimate['storage']): MemoryEstimate {
    return { storage, parameters: 1000, weightBytes: 4000, runtimeBytes: 1000, contextLength: 4096, totalBytes: 5000 };
  }
  async loadModel(): Promise<void> {}
  async infer(): Promise<never> {
    throw new Error('EchoTextPlugin has no raw forward pass');
  }
  async cleanup(): Promise<void> {}

  tokenize(text: string): number[] {
    return text
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => word.length);
  }
  detokenize(ids: readonly number[]): string {
    return ids.map((id) => 'x'.repeat(id)).join(' ');
  }
  async generate(): Promise<GenerateResult> {
    throw new Error('not supported by EchoTextPlugin');
  }
  async *streamGenerate(): AsyncIterable<TokenDelta> {
    throw new Error('not supported by EchoTextPlugin');
  }

  async generateText(prompt: string | ContentPart[], options: GenerateTextOptions = {}): Promise<GenerateTextResult> {
    let text = '';
    const tokens: number[] = [];
    const logprobs: TokenLogprob[] = [];
    for await (const delta of this.streamText(prompt, options)) {
      text += delta.text;
      tokens.push(...delta.tokens);
      logprobs.push(...(delta.logprobs ?? []));
    }
    const limit = options.maxNewTokens ?? Infinity;
    const finishReason = options.signal?.aborted ? 'abort' : tokens.length >= limit ? 'length' : 'stop';
    const promptTokens = this.tokenize(textOf(prompt)).length;
    return {
      text,
      tokens,
      finishReason,
      usage: { promptTokens, completionTokens: tokens.length, totalTokens: promptTokens + tokens.length },
      ...(options.logprobs ? { logprobs } : {}),
    };
  }

  async *streamText(prompt: string | ContentPart[], options: GenerateTextOptions = {}): AsyncIterable<TextDelta> {
    this.lastOptions = options;
    this.started += 1;
    if (textOf(prompt).includes('explode')) throw new Error('boom: the fake model failed');
    const images = [...(options.images ?? []), ...(Array.isArray(prompt) ? prompt.filter((p) => p.type !== 'text') : [])];
    const words = [`echo:`, ...images.map((image) => `[image ${byteLength(image)} bytes]`), ...textOf(prompt).split(/\s+/).filter(Boolean)];
    const limit = Math.min(words.length, options.maxNewTokens ?? Infinity);
    for (let i = 0; i < limit; i++) {
      if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
      if (options.signal?.aborted) {
        this.aborted += 1;
        return;
      }
      const text = i === 0 ? words[i] : ` ${words[i]}`;
      const logprob: TokenLogprob = {
        token: i,
        text,
        logprob: -0.5,
        top: [
          { token: i, text, logprob: -0.5 },
          { token: 0, text: '?', logprob: -2 },
        ].slice(0, options.topLogprobs ?? 0),
      };
      yield { text, tokens: [text.length], ...(options.logprobs ? { logprobs: [logprob] } : {}) };
    }
    this.finished += 1;
  }

  async chatCompletion(request: ChatCompletionRequest): Promise<ChatCompletionResult> {
    let content = '';
    let result: ChatCompletionResult | undefined;
    const logprobs: TokenLogprob[] = [];
    const toolCalls = [];
    for await (const delta of this.streamChatCompletion(request)) {
      content += delta.content ?? '';
      logprobs.push(...(delta.logprobs ?? []));
      toolCalls.push(...(delta.toolCalls ?? []));
      if (delta.finishReason && delta.usage) {
        result = {
          message: { role: 'assistant', content: toolCalls.length > 0 ? null : content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
          finishReason: delta.finishReason,
          usage: delta.usage,
          ...(request.logprobs ? { logprobs } : {}),
        };
      }
    }
    if (!result) throw new Error('stream ended without a final delta');
    return result;
  }

  async *streamChatCompletion(request: ChatCompletionRequest): AsyncIterable<ChatCompletionDelta> {
    const last = [...request.messages].reverse().find((message) => message.role === 'user');
    const parts: ContentPart[] = typeof last?.content === 'string' ? [{ type: 'text', text: last.content }] : (last?.content ?? []);
    const tool = /call (\w+)/.exec(textOf(parts))?.[1];
    if (tool && request.tools?.some((t) => t.function.name === tool)) {
      this.started += 1;
      this.finished += 1;
      yield { toolCalls: [{ id: `call_${tool}`, type: 'function', function: { name: tool, arguments: '{"x":1}' } }] };
      yield { finishReason: 'tool_calls', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };
      return;
    }
    const { messages: _messages, tools: _tools, ...options } = request;
    let tokens = 0;
    for await (const delta of this.streamText(parts, options)) {
      tokens += delta.tokens.length;
      yield { content: delta.text, ...(delta.logprobs ? { logprobs: delta.logprobs } : {}) };
    }
    this.lastOptions = request;
    const promptTokens = this.tokenize(textOf(parts)).length;
    const finishReason = request.signal?.aborted ? 'abort' : tokens >= (request.maxNewTokens ?? Infinity) ? 'length' : 'stop';
    yield { finishReason, usage: { promptTokens, completionTokens: tokens, totalTokens: promptTokens + tokens } };
  }
}

function textOf(prompt: string | ContentPart[]): string {
  return typeof prompt === 'string' ? prompt : prompt.map((part) => (part.type === 'text' ? part.text : '')).join(' ');
}

function byteLength(image: string | Uint8Array | ContentPart): number {
  if (typeof image === 'string') return image.length;
  if (image instanceof Uint8Array) return image.length;
  if (image.type === 'image') return byteLength(image.image);
  return image.type === 'image_url' ? image.image_url.url.length : 0;
}
