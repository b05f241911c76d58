/** What a {@link LogitsProcessor} may know about one row when it processes that row's next-token logits. */
export interface LogitsContext {
  /** The row's prompt, without padding. */
  readonly promptIds: readonly number[];
  /** Tokens generated so far for the row. */
  readonly generatedIds: readonly number[];
  /** How often each generated token occurs in {@link LogitsContext.generatedIds}. */
  readonly generatedCounts: ReadonlyMap<number, number>;
  /** Every distinct token of the prompt and the generated tokens. */
  readonly seenIds: ReadonlySet<number>;
}

/**
 * Changes one row of next-token logits on the host, in place. A token is removed from sampling by setting its logit to
 * `-Infinity`. The generation engine reads the logits once per step and runs its processors in order.
 */
export interface LogitsProcessor {
  /** Short name, e.g. `top-p`. */
  readonly name: string;
  /** Processes `logits` (`[vocab]`) in place. */
  process(logits: Float32Array, context: LogitsContext): void;
}
