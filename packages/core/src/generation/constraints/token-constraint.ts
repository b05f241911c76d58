/**
 * A compiled constraint on what a row may generate (a JSON Schema, JSON mode, a tool-call format), applied by
 * `generateTokens` as a token mask at every step. It is stateless and may serve many rows; each row calls
 * {@link TokenConstraint.start} for its own state.
 */
export interface TokenConstraint {
  /** Short description, e.g. `json-schema`. */
  readonly name: string;
  /** A fresh state at the start of the output. */
  start(): TokenConstraintState;
}

/** One row's progress through a {@link TokenConstraint}. */
export interface TokenConstraintState {
  /**
   * Sets the logits of every token that cannot come next to `-Infinity` (before the sampling processors run). EOS ids
   * are allowed only when the output so far is complete.
   */
  mask(logits: Float32Array, eosTokenIds: ReadonlySet<number>): void;
  /**
   * Optional: computes (and keeps) the mask of the current state ahead of {@link TokenConstraintState.mask}. The
   * engine calls it while the backend computes the next logits, since the mask depends only on the tokens so far.
   */
  prepare?(): void;
  /** Advances past a generated (non-EOS) token. Throws when the token was not allowed. */
  accept(token: number): void;
  /** True when the output is complete and nothing may follow: the row ends here. */
  readonly finished: boolean;
}
