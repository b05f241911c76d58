import { HttpRequestError } from '../errors/http-request-error.js';

/** Limits of a {@link RequestQueue}. */
export interface RequestQueueOptions {
  /** Requests that run at once. */
  maxConcurrent: number;
  /** Requests that may wait; one more is refused with 429. */
  maxQueued: number;
  /** `Retry-After` sent with a 429. Default 1. */
  retryAfterSeconds?: number;
}

interface Waiter {
  start: () => void;
}

/**
 * A first-in, first-out queue of requests to one model: at most `maxConcurrent` run, at most
 * `maxQueued` wait; a waiting request whose signal aborts leaves the queue without running.
 */
export class RequestQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: RequestQueueOptions) {}

  /** Requests running now. */
  get active(): number {
    return this.running;
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs `task` when its turn comes. Throws a 429 {@link HttpRequestError} when the queue is full, or the signal's reason when aborted while waiting. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.options.maxConcurrent && this.waiting.length === 0) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.maxQueued) {
      const retryAfterSeconds = this.options.retryAfterSeconds ?? 1;
      return Promise.reject(
        new HttpRequestError(
          `Too many requests for this model: ${this.running} running and ${this.waiting.length} waiting. Retry after ${retryAfterSeconds} s.`,
          { status: 429, type: 'rate_limit_error', errorCode: 'queue_full', retryAfterSeconds },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running += 1;
          resolve();
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    this.running -= 1;
    while (this.running < this.options.maxConcurrent && this.waiting.length > 0) {
      this.waiting.shift()?.start();
    }
    if (this.running === 0 && this.waiting.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
