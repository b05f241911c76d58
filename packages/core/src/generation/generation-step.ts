import type { FinishReason, GenerationOptions } from '../plugin/generation-options.js';
import type { GenerationDefaults } from './generation-defaults.js';
import type { TokenConstraint } from './constraints/token-constraint.js';
import type { LogitsProcessor } from './logits-processors/logits-processor.js';

/** Prompts for `generateTokens`: rows of different lengths, unpadded; the engine pads them. */
export interface GenerateTokensInput<Extras = undefined> {
  /** Token ids per row, without padding. Every row needs at least one token. */
  inputIds: readonly (readonly number[])[];
  /** Model-specific inputs (e.g. pixel values), passed to `CausalLM.createSession`. */
  extras?: Extras;
}

/**
 * Options of one row of a batch (`GenerateTokensOptions.rowOptions`): every field the row sets (not `undefined`)
 * replaces the batch-wide option for that row. `signal` is the exception: the row ends with `abort` when either its own
 * signal or the batch's fires.
 */
export interface RowGenerationOptions extends GenerationOptions {
  /** More processors for this row, run after the built-in ones (replacing the batch's `logitsProcessors`). */
  logitsProcessors?: readonly LogitsProcessor[];
  /** This row's output constraint (replacing the batch's `constraint`); see {@link GenerateTokensOptions.constraint}. */
  constraint?: TokenConstraint;
}

/** Options of `generateTokens`. Stop strings (`stop`) are handled one level up, by `streamText`. */
export interface GenerateTokensOptions extends GenerationDefaults {
  /** More processors, run after the built-in ones (penalties, temperature, top-k, top-p, min-p). */
  logitsProcessors?: readonly LogitsProcessor[];
  /**
   * Constrained decoding: each row starts its own state of this constraint; before the processors run, tokens that
   * cannot come next are masked (EOS only once the output is complete), and the row ends with `stop` as soon as its
   * output is complete and nothing may follow. `streamText` builds one from `responseFormat`.
   */
  constraint?: TokenConstraint;
  /**
   * Per-row options, one entry per prompt row (`undefined` entries take the batch options): each row may have its own
   * token limit, EOS ids, sampling, seed, stop strings, log-probabilities and `signal`. A row's output does not depend
   * on the other rows. `padTokenId` is batch-wide.
   */
  rowOptions?: readonly (RowGenerationOptions | undefined)[];
}

/** A token generated for one row. */
export interface RowToken {
  /** Batch row. */
  row: number;
  /** The token. */
  token: number;
  /** Its log-probability, when `logprobs` or `topLogprobs` was asked for (see `tokenLogprobs` for the distribution used). */
  logprob?: number;
  /** The most likely alternatives, when `topLogprobs` > 0. */
  topLogprobs?: Array<{ token: number; logprob: number }>;
}

/** A row that ended. Every row is reported exactly once. */
export interface RowFinish {
  /** Batch row. */
  row: number;
  /** `stop` (an EOS token or `stopRow`), `length` (`maxNewTokens` reached) or `abort` (the signal fired). */
  reason: FinishReason;
  /** The EOS token that ended the row, when one did. It is not reported as a {@link RowToken}. */
  stopToken?: number;
}

/** One step of generation: a token for each row still running, and the rows that ended. */
export interface GenerationStep {
  /** Step number, from 0. */
  step: number;
  /** New tokens, in row order. */
  tokens: RowToken[];
  /** Rows that ended at this step (after their token, if any). */
  finished: RowFinish[];
}

/**
 * A generation in progress: iterate it (once) for its steps. The model runs only while the iterator is pulled;
 * breaking out of the loop frees the session.
 */
export interface TokenGeneration extends AsyncIterable<GenerationStep> {
  /**
   * Ends a row before its next token (e.g. because its text reached a stop string). It is reported in the next
   * step's `finished` with `reason`; a row that already ended is left alone.
   */
  stopRow(row: number, reason?: FinishReason): void;
}
