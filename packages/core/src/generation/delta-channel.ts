/**
 * A one-reader stream fed by a producer: {@link push} queues items, {@link end} and {@link fail} close it. The first
 * `next()` calls `onFirstRead` (the producer starts lazily); a reader that stops early (`return()`) calls `onClose`, and
 * later pushes are dropped.
 */
export class DeltaChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private state: 'open' | 'ended' | 'failed' | 'closed' = 'open';
  private error: unknown;
  private wake: (() => void) | undefined;
  private read = false;

  constructor(
    private readonly onFirstRead: () => void,
    private readonly onClose: () => void,
  ) {}

  /** True while the producer should keep sending (not ended, failed or abandoned by the reader). */
  get open(): boolean {
    return this.state === 'open';
  }

  /** Queues an item. */
  push(item: T): void {
    if (this.state !== 'open') return;
    this.items.push(item);
    this.notify();
  }

  /** Ends the stream after the queued items. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.notify();
  }

  /** Ends the stream with `error`, thrown to the reader after the queued items. */
  fail(error: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.error = error;
    this.notify();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    const done = (): IteratorResult<T> => ({ done: true, value: undefined });
    return {
      next: async () => {
        if (!this.read) {
          this.read = true;
          this.onFirstRead();
        }
        for (;;) {
          if (this.items.length > 0) return { done: false, value: this.items.shift()! };
          if (this.state === 'failed') {
            this.state = 'ended';
            throw this.error;
          }
          if (this.state !== 'open') return done();
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      return: async () => {
        const wasOpen = this.state === 'open';
        this.state = 'closed';
        this.items.length = 0;
        if (wasOpen) this.onClose();
        this.notify();
        return done();
      },
    };
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
