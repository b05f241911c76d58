import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ResourceLimitError } from '../errors/resource-limit-error.js';

/** Limits of an {@link ExecutionQueue}. */
export interface ExecutionQueueLimits {
  /** Tasks (single executions or batches) that run at once. */
  maxConcurrent: number;
  /** Executions that may wait; one more is refused with `ResourceLimitError`. */
  maxQueued: number;
}

/** How {@link ExecutionQueue.runBatched} groups an execution. */
export interface BatchPolicy<M> {
  /** Executions join only a waiting batch with the same key (e.g. the plugin instance that runs them). */
  key: unknown;
  /** Most executions in one batch (1 = every execution runs alone). */
  maxSize: number;
  /** Runs one batch when its turn comes; the slot is held until the promise settles. */
  run(members: M[]): Promise<void>;
}

/** Who waits, for error messages and cancellation. */
export interface QueueTicket {
  /** Plugin name, for the errors. */
  pluginName: string;
  /** Leaves the queue when it fires before the execution starts. */
  signal?: AbortSignal;
}

interface Entry {
  payload: unknown;
  ticket: QueueTicket;
  onAbort: () => void;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

interface Batch {
  key: unknown;
  maxSize: number;
  entries: Entry[];
  run: (payloads: unknown[]) => Promise<void>;
}

/**
 * The manager's one scheduler: a first-in, first-out queue of executions where at most `maxConcurrent` tasks run and
 * at most `maxQueued` executions wait. An execution whose signal fires while it waits leaves without running.
 *
 * Batching is static: an execution queued with {@link runBatched} joins the earliest waiting batch with the same key
 * and room, else starts a new batch at the back; a batch that started takes no new members. Single tasks
 * ({@link run}) never share.
 */
export class ExecutionQueue {
  private running = 0;
  private readonly waiting: Batch[] = [];
  private readonly runningKeys = new Map<unknown, number>();
  private readonly idleWaiters: Array<{ key: unknown; all: boolean; resolve: () => void }> = [];

  constructor(private readonly limits: ExecutionQueueLimits) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Executions waiting now. */
  get queued(): number {
    return this.waiting.reduce((sum, batch) => sum + batch.entries.length, 0);
  }

  /** Resolves once nothing runs or waits (with `key`: nothing of that key). */
  idle(...key: [] | [unknown]): Promise<void> {
    const waiter: { key: unknown; all: boolean; resolve: () => void } = { key: key[0], all: key.length === 0, resolve: () => undefined };
    const done = new Promise<void>((resolve) => (waiter.resolve = resolve));
    this.idleWaiters.push(waiter);
    this.settleIdle();
    return done;
  }

  /** Runs `task` alone when its turn comes; rejects as {@link runBatched} does. */
  async run<T>(task: () => Promise<T>, ticket: QueueTicket, key: unknown = {}): Promise<T> {
    let result: T | undefined;
    await this.runBatched(undefined, { key, maxSize: 1, run: async () => void (result = await task()) }, ticket);
    return result as T;
  }

  /**
   * Queues `member` to run in a batch under `policy` (see the class notes). Resolves once its batch has run; rejects
   * with what `policy.run` threw, with `ResourceLimitError` (limit `maxConcurrentExecutions`) when every slot is taken and the queue is full, or
   * with `ExecutionAbortedError` when the ticket's signal fires while it waits.
   */
  runBatched<M>(member: M, policy: BatchPolicy<M>, ticket: QueueTicket): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { signal, pluginName } = ticket;
      const aborted = () =>
        new ExecutionAbortedError({ pluginName, operation: 'execution', reason: 'while waiting for a free slot' }, { cause: signal?.reason });
      if (signal?.aborted) return reject(aborted());
      const run = policy.run as (payloads: unknown[]) => Promise<void>;
      const entry: Entry = { payload: member, ticket, onAbort: () => undefined, resolve, reject };
      if (this.running < this.limits.maxConcurrent && this.waiting.length === 0) {
        this.start({ key: policy.key, maxSize: policy.maxSize, entries: [entry], run });
        return;
      }
      const queued = this.queued;
      if (queued >= this.limits.maxQueued) {
        return reject(
          new ResourceLimitError({
            limit: 'maxConcurrentExecutions',
            maximum: this.limits.maxConcurrent,
            requested: this.running + queued + 1,
            advice:
              `${this.running} task(s) are running and ${queued} execution(s) waiting (maxQueuedExecutions ${this.limits.maxQueued}). ` +
              'Retry when one finishes, or raise limits.maxConcurrentExecutions / limits.maxQueuedExecutions.',
          }),
        );
      }
      const maxSize = policy.maxSize;
      let batch = maxSize > 1 ? this.waiting.find((b) => b.key === policy.key && b.entries.length < Math.min(b.maxSize, maxSize)) : undefined;
      if (!batch) {
        batch = { key: policy.key, maxSize, entries: [], run };
        this.waiting.push(batch);
      }
      const joined = batch;
      entry.onAbort = () => {
        const index = joined.entries.indexOf(entry);
        if (index < 0) return;
        joined.entries.splice(index, 1);
        if (joined.entries.length === 0) this.waiting.splice(this.waiting.indexOf(joined), 1);
        this.settleIdle();
        reject(aborted());
      };
      joined.entries.push(entry);
      signal?.addEventListener('abort', entry.onAbort, { once: true });
    });
  }

  private start(batch: Batch): void {
    const { entries, key } = batch;
    for (const entry of entries) entry.ticket.signal?.removeEventListener('abort', entry.onAbort);
    this.running += 1;
    this.runningKeys.set(key, (this.runningKeys.get(key) ?? 0) + 1);
    void new Promise<void>((resolve) => resolve(batch.run(entries.map((entry) => entry.payload)))).then(
      () => {
        this.release(key);
        entries.forEach((entry) => entry.resolve());
      },
      (error: unknown) => {
        this.release(key);
        entries.forEach((entry) => entry.reject(error));
      },
    );
  }

  private release(key: unknown): void {
    this.running -= 1;
    const left = (this.runningKeys.get(key) ?? 1) - 1;
    if (left === 0) this.runningKeys.delete(key);
    else this.runningKeys.set(key, left);
    while (this.running < this.limits.maxConcurrent && this.waiting.length > 0) this.start(this.waiting.shift()!);
    this.settleIdle();
  }

  private settleIdle(): void {
    for (let i = this.idleWaiters.length - 1; i >= 0; i--) {
      const waiter = this.idleWaiters[i];
      const idle = waiter.all
        ? this.running === 0 && this.waiting.length === 0
        : !this.runningKeys.has(waiter.key) && !this.waiting.some((batch) => batch.key === waiter.key);
      if (!idle) continue;
      this.idleWaiters.splice(i, 1);
      waiter.resolve();
    }
  }
}
