import type { CausalLM } from '../model/causal-lm.js';
import type { FinishReason, TokenLogprob, Usage } from '../plugin/generation-options.js';
import { createDetokenizer } from '../text/detokenizer.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { constrainOptions } from './constraints/constrain-options.js';
import { generateTokens } from './generate-tokens.js';
import type { GenerateTokensInput, GenerateTokensOptions, RowToken } from './generation-step.js';
import { StopStringMatcher } from './stop-string-matcher.js';

/** Options of {@link streamText}. */
export interface TextGenerationOptions extends GenerateTokensOptions {
  /** Leave special tokens out of the text. Default true. */
  skipSpecialTokens?: boolean;
}

/**
 * A piece of streamed text for one row. Concatenating the `text` of a row's deltas, in order, gives its final text.
 *
 * There is one delta per generated token (its `text` may be empty while a character is incomplete or text is held
 * back because it could begin a stop string), then one last delta with `finishReason` and `usage`.
 */
export interface TextGenerationDelta {
  /** Batch row. */
  row: number;
  /** New text. */
  text: string;
  /** The generated token, on per-token deltas. */
  token?: number;
  /** Its log-probability, when asked for (`text` fields hold `decode([token])`, U+FFFD for a partial character). */
  logprob?: TokenLogprob;
  /** Why the row ended, on its last delta. */
  finishReason?: FinishReason;
  /** Token counts, on the last delta. `completionTokens` counts every token the model produced, an EOS included. */
  usage?: Usage;
}

/**
 * Generates text: `generateTokens` plus a streaming detokenizer and stop strings for each row.
 *
 * Stop strings (`stop`) may span tokens; text that could still become a stop string is held back, and the stop string
 * itself is never emitted (the row then ends with `stop` and no further model steps run for it). Without `eosTokenIds`,
 * the tokenizer's EOS token ends rows. `rowOptions` may give each row its own stop strings and options (see
 * `generateTokens`), so separate requests can share one batch. A `responseFormat` (batch-wide or per row) becomes a
 * token `constraint` over the tokenizer's vocabulary.
 *
 * @throws {@link InvalidGenerationOptionsError} (synchronously) for bad prompts or options
 */
export function streamText<Extras = undefined>(
  model: CausalLM<Extras>,
  tokenizer: Tokenizer,
  input: GenerateTokensInput<Extras>,
  options: TextGenerationOptions = {},
): AsyncIterable<TextGenerationDelta> {
  const eosTokenIds = options.eosTokenIds ?? (tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId]);
  const constrain = <T extends TextGenerationOptions>(o: T): T => constrainOptions(o, tokenizer, model.vocabSize);
  const rowOptions = options.rowOptions?.map((row) => row && constrain(row));
  const generation = generateTokens(model, input, { ...constrain(options), eosTokenIds, ...(rowOptions ? { rowOptions } : {}) });
  const stopsOf = (row: number): string[] => {
    const stop = options.rowOptions?.[row]?.stop ?? options.stop;
    return stop === undefined ? [] : typeof stop === 'string' ? [stop] : [...stop];
  };
  const skipSpecialTokens = options.skipSpecialTokens ?? true;
  return {
    async *[Symbol.asyncIterator]() {
      const rows = input.inputIds.map((prompt, row) => ({
        promptTokens: prompt.length,
        produced: 0,
        detokenizer: createDetokenizer(tokenizer, { skipSpecialTokens }),
        matcher: new StopStringMatcher(stopsOf(row)),
        done: false,
      }));
      const usage = (row: number): Usage => {
        const { promptTokens, produced } = rows[row];
        return { promptTokens, completionTokens: produced, totalTokens: promptTokens + produced };
      };
      for await (const step of generation) {
        for (const item of step.tokens) {
          const state = rows[item.row];
          if (state.done) continue;
          state.produced++;
          const match = state.matcher.push(state.detokenizer.push(item.token));
          yield { row: item.row, text: match.text, token: item.token, ...logprobOf(item, tokenizer) };
          if (match.stopped) {
            state.done = true;
            generation.stopRow(item.row, 'stop');
            yield { row: item.row, text: '', finishReason: 'stop', usage: usage(item.row) };
          }
        }
        for (const end of step.finished) {
          const state = rows[end.row];
          if (state.done) continue;
          state.done = true;
          if (end.stopToken !== undefined) state.produced++;
          const tail = state.matcher.push(state.detokenizer.flush());
          const text = tail.text + (tail.stopped ? '' : state.matcher.flush());
          yield { row: end.row, text, finishReason: tail.stopped ? 'stop' : end.reason, usage: usage(end.row) };
        }
      }
    },
  };
}

function logprobOf(item: RowToken, tokenizer: Tokenizer): { logprob?: TokenLogprob } {
  if (item.logprob === undefined) return {};
  const text = (token: number) => tokenizer.decode([token]);
  const logprob: TokenLogprob = { token: item.token, text: text(item.token), logprob: item.logprob };
  if (item.topLogprobs) logprob.top = item.topLogprobs.map((alt) => ({ token: alt.token, text: text(alt.token), logprob: alt.logprob }));
  return { logprob };
}
