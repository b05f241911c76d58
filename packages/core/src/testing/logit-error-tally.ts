/**
 * Running error statistics of a model's logits against golden logits, over the real positions of left-padded prompts
 * (mask 1), and how often its greedy tokens agree with the golden ones: what a test of compact weight or cache storage
 * bounds (test helper).
 */
export class LogitErrorTally {
  /** Largest absolute difference seen (NaN once a difference is NaN, so a bound on it fails). */
  worst = 0;
  private absSum = 0;
  private count = 0;
  private agree = 0;
  private total = 0;

  /** Adds logits `[batch, seq, vocab]` at the positions `[b, t]` where `mask[b][t]` is 1. */
  addLogits(actual: ArrayLike<number>, expected: ArrayLike<number>, shape: readonly number[], mask: readonly (readonly number[])[]): void {
    const [batch, seq, vocab] = shape;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seq; t++) {
        if (mask[b][t] !== 1) continue;
        const base = (b * seq + t) * vocab;
        for (let v = 0; v < vocab; v++) {
          const diff = Math.abs(actual[base + v] - expected[base + v]);
          this.worst = Math.max(this.worst, diff);
          this.absSum += diff;
          this.count++;
        }
      }
    }
  }

  /** Adds greedy tokens `[batch][steps]`: each `actual[b][s]` is compared with `expected[b][s]`. */
  addTokens(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[]): void {
    actual.forEach((row, b) =>
      row.forEach((token, s) => {
        this.total++;
        if (token === expected[b][s]) this.agree++;
      }),
    );
  }

  /** Mean absolute difference over every logit added. */
  get meanAbs(): number {
    return this.absSum / this.count;
  }

  /** Share of greedy tokens that agree. */
  get agreement(): number {
    return this.agree / this.total;
  }
}
