import { describe, expect, it } from 'vitest';
import { HttpRequestError } from '../errors/http-request-error.js';
import { RequestQueue } from './request-queue.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('RequestQueue', () => {
  it('runs tasks first in, first out within the concurrency limit', async () => {
    const queue = new RequestQueue({ maxConcurrent: 2, maxQueued: 10 });
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 8 }, (_, i) =>
      queue.run(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        for (let k = 0; k < 3; k++) await tick();
        running -= 1;
        return i;
      }),
    );
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
  });

  it('refuses with 429 when full and drops aborted waiters', async () => {
    const queue = new RequestQueue({ maxConcurrent: 1, maxQueued: 1, retryAfterSeconds: 3 });
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const waiting = queue.run(async () => 'ran', controller.signal);
    const full = await queue.run(async () => 'x').catch((error: unknown) => error);
    expect(HttpRequestError.isInstance(full) && full.status === 429 && full.retryAfterSeconds === 3).toBe(true);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(queue.queued).toBe(0);
    const next = queue.run(async () => 'next');
    release();
    await first;
    expect(await next).toBe('next');
    expect(queue.active).toBe(0);
  });
});

describe('RequestQueue.idle', () => {
  it('resolves once nothing runs or waits', async () => {
    const queue = new RequestQueue({ maxConcurrent: 1, maxQueued: 5 });
    await queue.idle();
    let finished = 0;
    const tasks = [1, 2, 3].map(() => queue.run(async () => {
      await tick();
      finished += 1;
    }));
    await queue.idle();
    expect(finished).toBe(3);
    await Promise.all(tasks);
  });
});
