import type { FinishReason, GenerationOptions, TokenLogprob, Usage } from '@pio/core';

/** Sampling fields as validated from a request body (OpenAI names). */
export interface SamplingBody {
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  top_k?: number | null;
  min_p?: number | null;
  repetition_penalty?: number | null;
}

/** OpenAI sampling fields → PIO {@link GenerationOptions} (unset fields stay unset so model defaults apply). */
export function toGenerationOptions(body: SamplingBody, maxTokens: number | null | undefined, signal: AbortSignal): GenerationOptions {
  const options: GenerationOptions = { signal };
  const limit = maxTokens ?? body.max_tokens;
  if (limit != null) options.maxNewTokens = limit;
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.topP = body.top_p;
  if (body.seed != null) options.seed = body.seed;
  if (body.stop != null) options.stop = body.stop;
  if (body.presence_penalty != null) options.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) options.frequencyPenalty = body.frequency_penalty;
  if (body.top_k != null) options.topK = body.top_k;
  if (body.min_p != null) options.minP = body.min_p;
  if (body.repetition_penalty != null) options.repetitionPenalty = body.repetition_penalty;
  return options;
}

/** OpenAI's finish reasons. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls';

/** PIO finish reason → OpenAI's (`abort` reads as `stop`). */
export function toOpenAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  return reason === 'length' || reason === 'tool_calls' ? reason : 'stop';
}

/** PIO usage → OpenAI usage. */
export function toOpenAIUsage(usage: Usage): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}

const bytesOf = (text: string): number[] => Array.from(Buffer.from(text, 'utf8'));

/** PIO log-probabilities → the chat API's `logprobs` object. */
export function toChatLogprobs(logprobs: readonly TokenLogprob[]): {
  content: Array<{ token: string; logprob: number; bytes: number[]; top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }> }>;
} {
  return {
    content: logprobs.map((entry) => ({
      token: entry.text,
      logprob: entry.logprob,
      bytes: bytesOf(entry.text),
      top_logprobs: (entry.top ?? []).map((alt) => ({ token: alt.text, logprob: alt.logprob, bytes: bytesOf(alt.text) })),
    })),
  };
}

/** PIO log-probabilities → the legacy completions API's `logprobs` object; `offset` is the text offset of the first token. */
export function toCompletionLogprobs(
  logprobs: readonly TokenLogprob[],
  offset = 0,
): { tokens: string[]; token_logprobs: number[]; top_logprobs: Array<Record<string, number>>; text_offset: number[] } {
  const textOffset: number[] = [];
  let at = offset;
  for (const entry of logprobs) {
    textOffset.push(at);
    at += entry.text.length;
  }
  return {
    tokens: logprobs.map((entry) => entry.text),
    token_logprobs: logprobs.map((entry) => entry.logprob),
    top_logprobs: logprobs.map((entry) => Object.fromEntries((entry.top ?? []).map((alt) => [alt.text, alt.logprob]))),
    text_offset: textOffset,
  };
}
