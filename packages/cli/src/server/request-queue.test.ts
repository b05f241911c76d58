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

describe('RequestQueue.runBatched', () => {
  it('groups requests that wait together, first in first out, up to the batch size and by key', async () => {
    const queue = new RequestQueue({ maxConcurrent: 1, maxQueued: 20 });
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = async (members: string[]): Promise<void> => {
      batches.push(members);
      if (members[0] === 'first') await gate;
      await tick();
    };
    const a = { key: 'a', maxSize: 3, run };
    const b = { key: 'b', maxSize: 3, run };
    const done = [
      queue.runBatched('first', a),
      ...['a1', 'a2', 'a3', 'a4'].map((m) => queue.runBatched(m, a)),
      queue.runBatched('b1', b),
      queue.runBatched('a5', a),
      queue.run(async () => batches.push(['alone'])),
      queue.runBatched('a6', a),
    ];
    expect(queue.active).toBe(1);
    expect(queue.queued).toBe(8);
    release();
    await Promise.all(done);
    expect(batches).toEqual([['first'], ['a1', 'a2', 'a3'], ['a4'], ['b1'], ['a5'], ['alone'], ['a6']]);
    expect(queue.active).toBe(0);
  });

  it('counts waiting requests, not batches, against maxQueued, and lets an aborted one leave its batch', async () => {
    const queue = new RequestQueue({ maxConcurrent: 1, maxQueued: 2 });
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const policy = { key: 'k', maxSize: 8, run: async (members: string[]) => void batches.push(members) };
    const first = queue.run(() => gate);
    const controller = new AbortController();
    const leaving = queue.runBatched('x', policy, controller.signal);
    const staying = queue.runBatched('y', policy);
    const full = await queue.runBatched('z', policy).catch((error: unknown) => error);
    expect(HttpRequestError.isInstance(full) && full.status === 429).toBe(true);
    controller.abort(new Error('gone'));
    await expect(leaving).rejects.toThrow('gone');
    expect(queue.queued).toBe(1);
    release();
    await Promise.all([first, staying]);
    expect(batches).toEqual([['y']]);
  });

  it('rejects every member with the error of its batch', async () => {
    const queue = new RequestQueue({ maxConcurrent: 1, maxQueued: 5 });
    const policy = { key: 'k', maxSize: 4, run: async () => Promise.reject(new Error('batch failed')) };
    const blocker = queue.run(tick);
    const results = await Promise.allSettled([queue.runBatched(1, policy), queue.runBatched(2, policy)]);
    await blocker;
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['batch failed', 'batch failed']);
  });
});
