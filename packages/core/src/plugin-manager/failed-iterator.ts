/**
 * An async iterator whose first `next()` rejects with `error` and which then ends: how a stream method reports a
 * mistake found when it is opened, so it rejects on first read and never throws synchronously.
 */
export function failedIterator<T>(error: unknown): AsyncIterator<T> {
  let failed = false;
  return {
    next: () => {
      if (failed) return Promise.resolve({ done: true, value: undefined });
      failed = true;
      return Promise.reject(error);
    },
    return: () => ((failed = true), Promise.resolve({ done: true, value: undefined })),
  };
}
