/** A stream whose first item (or end) has been read: see {@link startedStream}. */
export interface StartedStream<T> extends AsyncIterable<T> {
  /** Stops the underlying stream if it has not ended (safe to call twice). */
  close(): Promise<void>;
}

/**
 * Reads the first item of `source`, so what fails before a generation produces anything (a full queue, a bad image, a
 * prompt over the context) throws here, before a response is started, and becomes a proper HTTP error; then returns
 * a stream that gives that item and the rest. Iterate it once.
 */
export async function startedStream<T>(source: AsyncIterable<T>): Promise<StartedStream<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  let pending: IteratorResult<T> | undefined = first;
  let ended = first.done === true;
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (pending !== undefined) {
          const item = pending;
          pending = undefined;
          return item;
        }
        const item = await iterator.next();
        if (item.done) ended = true;
        return item;
      },
      return: async () => {
        pending = undefined;
        if (!ended) {
          ended = true;
          await iterator.return?.();
        }
        return { done: true, value: undefined };
      },
    }),
    close: async () => {
      if (ended) return;
      ended = true;
      await iterator.return?.();
    },
  };
}
