import { HttpRequestError } from '../errors/http-request-error.js';

/** Limits of a {@link RequestQueue}. */
export interface RequestQueueOptions {
  /** Tasks (single requests or batches) that run at once. */
  maxConcurrent: number;
  /** Requests that may wait; one more is refused with 429. */
  maxQueued: number;
  /** `Retry-After` sent with a 429. Default 1. */
  retryAfterSeconds?: number;
}

/** How {@link RequestQueue.runBatched} groups a request. */
export interface BatchPolicy<M> {
  /** Requests join only a waiting batch with the same key (e.g. the model's plugin). */
  key: unknown;
  /** Most requests in one batch (1 = every request runs alone). */
  maxSize: number;
  /** Runs one batch when its turn comes; the slot is held until the promise settles. */
  run(members: M[]): Promise<void>;
}

interface Entry {
  payload: unknown;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

interface Waiter {
  key: unknown;
  maxSize: number;
  entries: Entry[];
  run: (payloads: unknown[]) => Promise<void>;
}

/**
 * A first-in, first-out queue of requests to one model: at most `maxConcurrent` tasks run, at most `maxQueued`
 * requests wait; a waiting request whose signal aborts leaves the queue without running.
 *
 * Batching is static: a request queued with {@link runBatched} joins the batch waiting at the back of the queue when
 * it has the same key and room, else starts a new one, so requests that wait together run together, in arrival order.
 * A batch that started takes no new requests.
 */
export class RequestQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: RequestQueueOptions) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.waiting.reduce((sum, waiter) => sum + waiter.entries.length, 0);
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs `task` alone when its turn comes. Throws a 429 {@link HttpRequestError} when the queue is full, or the signal's reason when aborted while waiting. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let result: T | undefined;
    await this.runBatched(undefined, { key: {}, maxSize: 1, run: async () => void (result = await task()) }, signal);
    return result as T;
  }

  /**
   * Queues `member` to run in a batch under `policy` (see the class notes). Resolves once its batch has run, rejects
   * with what `policy.run` threw, with a 429 {@link HttpRequestError} when the queue is full, or with the signal's
   * reason when aborted while waiting.
   */
  runBatched<M>(member: M, policy: BatchPolicy<M>, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const run = policy.run as (payloads: unknown[]) => Promise<void>;
      const entry: Entry = { payload: member, signal, onAbort: () => undefined, resolve, reject };
      if (this.running < this.options.maxConcurrent && this.waiting.length === 0) {
        this.start({ key: policy.key, maxSize: policy.maxSize, entries: [entry], run });
        return;
      }
      const queued = this.queued;
      if (queued >= this.options.maxQueued) {
        const retryAfterSeconds = this.options.retryAfterSeconds ?? 1;
        return reject(
          new HttpRequestError(`Too many requests for this model: ${this.running} running and ${queued} waiting. Retry after ${retryAfterSeconds} s.`, {
            status: 429,
            type: 'rate_limit_error',
            errorCode: 'queue_full',
            retryAfterSeconds,
          }),
        );
      }
      const last = this.waiting.at(-1);
      const joins = last !== undefined && last.key === policy.key && last.entries.length < Math.min(last.maxSize, policy.maxSize);
      const waiter: Waiter = joins ? last : { key: policy.key, maxSize: policy.maxSize, entries: [], run };
      if (!joins) this.waiting.push(waiter);
      entry.onAbort = () => {
        const index = waiter.entries.indexOf(entry);
        if (index < 0) return;
        waiter.entries.splice(index, 1);
        if (waiter.entries.length === 0) this.waiting.splice(this.waiting.indexOf(waiter), 1);
        this.settleIdle();
        reject(signal?.reason);
      };
      waiter.entries.push(entry);
      signal?.addEventListener('abort', entry.onAbort, { once: true });
    });
  }

  private start(waiter: Waiter): void {
    const { entries } = waiter;
    for (const entry of entries) entry.signal?.removeEventListener('abort', entry.onAbort);
    this.running += 1;
    void new Promise<void>((resolve) => resolve(waiter.run(entries.map((entry) => entry.payload)))).then(
      () => {
        this.release();
        entries.forEach((entry) => entry.resolve());
      },
      (error: unknown) => {
        this.release();
        entries.forEach((entry) => entry.reject(error));
      },
    );
  }

  private release(): void {
    this.running -= 1;
    while (this.running < this.options.maxConcurrent && this.waiting.length > 0) this.start(this.waiting.shift()!);
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.running === 0 && this.waiting.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
