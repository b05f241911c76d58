/**
 * Runs asynchronous tasks one at a time, in the order they were queued: a task starts once every task queued before
 * it has settled (a rejected task does not hold up the ones after it).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; the promise settles as the task does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
