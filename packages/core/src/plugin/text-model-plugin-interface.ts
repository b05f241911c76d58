import type { ChatMessage, ToolCall, ToolDefinition, ContentPart } from './chat.js';
import type { FinishReason, GenerationOptions, TokenLogprob, Usage } from './generation-options.js';
import type { ModelPluginInterface } from './model-plugin-interface.js';

/** A float32 tensor on the host: values and shape. */
export interface HostFloatArray {
  data: Float32Array;
  shape: number[];
}

/** Input of a text model's raw forward pass. */
export interface TextInferInput {
  /** Token ids `[batch][seq]`, left padded. */
  inputIds: number[][];
  /** 1 for tokens, 0 for pads; default all ones. */
  attentionMask?: number[][];
  /** Preprocessed images (vision-language plugins). */
  pixelValues?: HostFloatArray;
  /** `[images][3]` temporal, height and width patch counts (vision-language plugins). */
  imageGridThw?: number[][];
}

/** Output of a text model's raw forward pass. */
export interface TextInferOutput {
  /** Prefill logits for every position, `[batch, seq, vocab]`. */
  logits: HostFloatArray;
}

/** Input of {@link TextModelPluginInterface.generate}: token ids in, token ids out. */
export interface GenerateInput extends TextInferInput, GenerationOptions {}

/** One streamed token. */
export interface TokenDelta {
  /** Batch row. */
  row: number;
  /** Token id. */
  token: number;
  /** The text this token completes (may be empty while a multi-byte character is incomplete). */
  text: string;
  /** Log-probabilities, when requested. */
  logprob?: TokenLogprob;
}

/** Result of {@link TextModelPluginInterface.generate}. */
export interface GenerateResult {
  /** New tokens per row (stop and EOS tokens excluded). */
  tokens: number[][];
  /** Why each row ended. */
  finishReasons: FinishReason[];
}

/** Options of {@link TextModelPluginInterface.generateText}. */
export interface GenerateTextOptions extends GenerationOptions {
  /** Images for the prompt (vision-language plugins). */
  images?: Array<string | Uint8Array>;
  /** Apply the chat template to the prompt as one user message (default true for chat models). */
  chat?: boolean;
  /** System message when `chat` is on. */
  system?: string;
}

/** Result of a text generation. */
export interface GenerateTextResult {
  text: string;
  tokens: number[];
  finishReason: FinishReason;
  usage: Usage;
  logprobs?: TokenLogprob[];
}

/** One streamed piece of text. */
export interface TextDelta {
  /** New text; concatenating all deltas gives the final text. */
  text: string;
  /** Tokens this delta covers. */
  tokens: number[];
  logprobs?: TokenLogprob[];
}

/** A chat completion request. */
export interface ChatCompletionRequest extends GenerationOptions {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /**
   * Whether the model must call a tool: `auto` (default: it decides), `none` (the tools are left out of the prompt),
   * `required` (exactly one call to one of `tools`) or `{ name }` (exactly one call to that tool). Forced calls are
   * constrained decoding in the model's tool-call format, the arguments following the tool's `parameters` schema.
   */
  toolChoice?: ToolChoice;
  /** Models with a thinking mode: think before answering (model default when unset). */
  enableThinking?: boolean;
  /** Extra variables passed to the chat template. */
  templateOptions?: Record<string, unknown>;
}

/** See {@link ChatCompletionRequest.toolChoice}. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** A chat completion result; `message` can be appended to the conversation as is. */
export interface ChatCompletionResult {
  message: ChatMessage & { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] };
  finishReason: FinishReason;
  usage: Usage;
  logprobs?: TokenLogprob[];
}

/** A streamed piece of a chat completion. The last one carries `finishReason` and `usage`. */
export interface ChatCompletionDelta {
  /** Answer text. */
  content?: string;
  /** Reasoning text. */
  reasoning?: string;
  /** Complete tool calls, emitted once parsed. */
  toolCalls?: ToolCall[];
  logprobs?: TokenLogprob[];
  finishReason?: FinishReason;
  usage?: Usage;
}

/**
 * One request of a batch (see {@link TextModelPluginInterface.streamBatch}): a chat completion, or a prompt as
 * {@link TextModelPluginInterface.generateText} takes it. Each request keeps its own options, including `signal`.
 */
export type BatchGenerationRequest =
  | { readonly kind: 'chat'; readonly request: ChatCompletionRequest }
  | { readonly kind: 'text'; readonly prompt: string | ContentPart[]; readonly options?: GenerateTextOptions };

/** Options `executePlugin` accepts for a text plugin: {@link GenerateTextOptions} plus a single `image` shorthand. */
export interface TextExecuteOptions extends GenerateTextOptions {
  /** One image, shorthand for `images: [image]`. */
  image?: string | Uint8Array;
}

/** A text-generating model plugin (language and vision-language models). */
export interface TextModelPluginInterface extends ModelPluginInterface<TextInferInput, TextInferOutput> {
  /** Marks the plugin as a text plugin. */
  readonly kind: 'text';
  /** Text to token ids (no template applied; special tokens in the text are recognised). */
  tokenize(text: string): number[];
  /** Token ids to text. */
  detokenize(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** Token ids in, new token ids out, with the KV cache. */
  generate(input: GenerateInput): Promise<GenerateResult>;
  /** Streaming {@link TextModelPluginInterface.generate}. */
  streamGenerate(input: GenerateInput): AsyncIterable<TokenDelta>;
  /** A prompt in, text out. */
  generateText(prompt: string | ContentPart[], options?: GenerateTextOptions): Promise<GenerateTextResult>;
  /** Streaming {@link TextModelPluginInterface.generateText}. */
  streamText(prompt: string | ContentPart[], options?: GenerateTextOptions): AsyncIterable<TextDelta>;
  /** OpenAI-style chat. */
  chatCompletion(request: ChatCompletionRequest): Promise<ChatCompletionResult>;
  /** Streaming {@link TextModelPluginInterface.chatCompletion}. */
  streamChatCompletion(request: ChatCompletionRequest): AsyncIterable<ChatCompletionDelta>;
  /**
   * Optional: runs independent requests together, batching the ones the model can run in one forward pass, and
   * returns one stream per request, in order. A request's stream gives what
   * {@link TextModelPluginInterface.streamChatCompletion} gives for it (for `text` requests: the answer as `content`,
   * with `logprobs`, `finishReason` and `usage`), and the same tokens as when it runs alone. A request that fails (e.g. a bad image) throws from its own stream only; a request
   * whose `signal` fires, or whose stream the caller stops reading, ends alone (`abort`). The generation starts when
   * any stream is first read. Static batching: no request joins once it started.
   */
  streamBatch?(requests: readonly BatchGenerationRequest[]): AsyncIterable<ChatCompletionDelta>[];
}

/** True when `plugin` is a {@link TextModelPluginInterface}. */
export function isTextModelPlugin(plugin: ModelPluginInterface): plugin is TextModelPluginInterface {
  return (plugin as Partial<TextModelPluginInterface>).kind === 'text';
}
