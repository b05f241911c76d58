import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ResourceLimitError } from '../errors/resource-limit-error.js';

/** Counts running executions and queues the rest in order. */
export interface Semaphore {
  /** Executions running now. */
  readonly running: number;
  /** Executions waiting. */
  readonly waiting: number;
  /**
   * Waits for a slot and resolves with its `release` function (safe to call twice).
   *
   * @throws ResourceLimitError when all slots are taken and the queue is full.
   * @throws ExecutionAbortedError when `signal` aborts while waiting.
   */
  acquire(pluginName: string, signal?: AbortSignal): Promise<() => void>;
}

/**
 * A first-in first-out counting semaphore with a bounded queue.
 *
 * @param max - slots (executions at once).
 * @param maxQueued - waiters allowed beyond the slots.
 */
export function createSemaphore(max: number, maxQueued: number): Semaphore {
  let running = 0;
  const queue: Array<{ grant: () => void }> = [];
  const makeRelease = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next.grant();
      else running--;
    };
  };
  return {
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    acquire(pluginName, signal) {
      if (signal?.aborted) {
        return Promise.reject(new ExecutionAbortedError({ pluginName, operation: 'execution' }, { cause: signal.reason }));
      }
      if (running < max) {
        running++;
        return Promise.resolve(makeRelease());
      }
      if (queue.length >= maxQueued) {
        return Promise.reject(
          new ResourceLimitError({
            limit: 'maxConcurrentExecutions',
            maximum: max,
            requested: running + queue.length + 1,
            advice:
              `${running} execution(s) are running and ${queue.length} waiting (maxQueuedExecutions ${maxQueued}). ` +
              'Retry when one finishes, or raise limits.maxConcurrentExecutions / limits.maxQueuedExecutions.',
          }),
        );
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(makeRelease()); // the slot passes from the releaser to this waiter: `running` is unchanged
          },
        };
        const onAbort = () => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(new ExecutionAbortedError({ pluginName, operation: 'execution', reason: 'while waiting for a free slot' }, { cause: signal?.reason }));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}
