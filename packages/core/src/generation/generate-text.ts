import type { CausalLM } from '../model/causal-lm.js';
import type { FinishReason, TokenLogprob, Usage } from '../plugin/generation-options.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { GenerateTokensInput } from './generation-step.js';
import { streamText, type TextGenerationDelta, type TextGenerationOptions } from './stream-text.js';

/** The complete output of one row. */
export interface TextGenerationResult {
  /** The generated text (stop strings and, by default, special tokens excluded). */
  text: string;
  /** Generated tokens, EOS excluded (tokens that formed a stop string are included). */
  tokens: number[];
  /** Why the row ended. */
  finishReason: FinishReason;
  /** Token counts. */
  usage: Usage;
  /** Per-token log-probabilities, when asked for. */
  logprobs?: TokenLogprob[];
}

/** Gathers a {@link streamText} stream into one result per row (in row order). */
export async function collectText(stream: AsyncIterable<TextGenerationDelta>): Promise<TextGenerationResult[]> {
  const results: Array<Partial<TextGenerationResult> & { text: string; tokens: number[] }> = [];
  for await (const delta of stream) {
    const result = (results[delta.row] ??= { text: '', tokens: [] });
    result.text += delta.text;
    if (delta.token !== undefined) result.tokens.push(delta.token);
    if (delta.logprob) (result.logprobs ??= []).push(delta.logprob);
    if (delta.finishReason) result.finishReason = delta.finishReason;
    if (delta.usage) result.usage = delta.usage;
  }
  return results as TextGenerationResult[];
}

/** {@link streamText} without streaming: one {@link TextGenerationResult} per prompt row. */
export function generateText<Extras = undefined>(
  model: CausalLM<Extras>,
  tokenizer: Tokenizer,
  input: GenerateTokensInput<Extras>,
  options: TextGenerationOptions = {},
): Promise<TextGenerationResult[]> {
  return collectText(streamText(model, tokenizer, input, options));
}
