import type { LogitsContext } from './logits-processors/logits-processor.js';

/** The tokens of one row, kept up to date as the engine generates (the {@link LogitsContext} processors see). */
export class RowHistory implements LogitsContext {
  readonly generatedIds: number[] = [];
  readonly generatedCounts = new Map<number, number>();
  readonly seenIds: Set<number>;

  constructor(readonly promptIds: readonly number[]) {
    this.seenIds = new Set(promptIds);
  }

  /** Records a generated token. */
  add(token: number): void {
    this.generatedIds.push(token);
    this.generatedCounts.set(token, (this.generatedCounts.get(token) ?? 0) + 1);
    this.seenIds.add(token);
  }
}
