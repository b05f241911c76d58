import { describe, expect, it } from 'vitest';
import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ResourceLimitError } from '../errors/resource-limit-error.js';
import { ExecutionQueue } from './execution-queue.js';

const T = { pluginName: 'p' };
const withSignal = (signal: AbortSignal) => ({ pluginName: 'p', signal });

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('ExecutionQueue', () => {
  it('runs tasks first in, first out within the concurrency limit', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 2, maxQueued: 10 });
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
      }, T),
    );
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
  });

  it('refuses with ResourceLimitError when full and drops aborted waiters', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 1, maxQueued: 1 });
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)), T);
    const controller = new AbortController();
    const waiting = queue.run(async () => 'ran', withSignal(controller.signal));
    const full = await queue.run(async () => 'x', T).catch((error: unknown) => error);
    expect(ResourceLimitError.isInstance(full)).toBe(true);
    expect(full).toMatchObject({ limit: 'maxConcurrentExecutions', maximum: 1, requested: 3 });
    controller.abort(new Error('gone'));
    const left = await waiting.catch((error: unknown) => error);
    expect(ExecutionAbortedError.isInstance(left) && (left.cause as Error).message === 'gone').toBe(true);
    expect(queue.queued).toBe(0);
    const next = queue.run(async () => 'next', T);
    release();
    await first;
    expect(await next).toBe('next');
    expect(queue.active).toBe(0);
  });
});

describe('ExecutionQueue.idle', () => {
  it('with a key, resolves once nothing of that key runs or waits', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 1, maxQueued: 5 });
    let release!: () => void;
    const other = queue.run(() => new Promise<void>((resolve) => (release = resolve)), T, 'other');
    const order: string[] = [];
    const mine = queue.run(async () => void order.push('mine ran'), T, 'mine');
    const idle = queue.idle('mine').then(() => order.push('mine idle'));
    await queue.idle('nothing');
    await tick();
    expect(order).toEqual([]);
    release();
    await Promise.all([other, mine, idle]);
    expect(order).toEqual(['mine ran', 'mine idle']);
  });

  it('resolves once nothing runs or waits', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 1, maxQueued: 5 });
    await queue.idle();
    let finished = 0;
    const tasks = [1, 2, 3].map(() =>
      queue.run(async () => {
        await tick();
        finished += 1;
      }, T),
    );
    await queue.idle();
    expect(finished).toBe(3);
    await Promise.all(tasks);
  });
});

describe('ExecutionQueue.runBatched', () => {
  it('groups executions that wait together, first in first out, up to the batch size and by key (joining the earliest batch with room)', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 1, maxQueued: 20 });
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
      queue.runBatched('first', a, T),
      ...['a1', 'a2', 'a3', 'a4'].map((m) => queue.runBatched(m, a, T)),
      queue.runBatched('b1', b, T),
      queue.runBatched('a5', a, T),
      queue.run(async () => batches.push(['alone']), T),
      queue.runBatched('a6', a, T),
      queue.runBatched('a7', a, T),
    ];
    expect(queue.active).toBe(1);
    expect(queue.queued).toBe(9);
    release();
    await Promise.all(done);
    expect(batches).toEqual([['first'], ['a1', 'a2', 'a3'], ['a4', 'a5', 'a6'], ['b1'], ['alone'], ['a7']]);
    expect(queue.active).toBe(0);
  });

  it('counts waiting executions, not batches, against maxQueued, and lets an aborted one leave its batch', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 1, maxQueued: 2 });
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const policy = { key: 'k', maxSize: 8, run: async (members: string[]) => void batches.push(members) };
    const first = queue.run(() => gate, T);
    const controller = new AbortController();
    const leaving = queue.runBatched('x', policy, withSignal(controller.signal));
    const staying = queue.runBatched('y', policy, T);
    const full = await queue.runBatched('z', policy, T).catch((error: unknown) => error);
    expect(ResourceLimitError.isInstance(full)).toBe(true);
    controller.abort(new Error('gone'));
    await expect(leaving).rejects.toSatisfy(ExecutionAbortedError.isInstance);
    expect(queue.queued).toBe(1);
    release();
    await Promise.all([first, staying]);
    expect(batches).toEqual([['y']]);
  });

  it('rejects every member with the error of its batch', async () => {
    const queue = new ExecutionQueue({ maxConcurrent: 1, maxQueued: 5 });
    const policy = { key: 'k', maxSize: 4, run: async () => Promise.reject(new Error('batch failed')) };
    const blocker = queue.run(tick, T);
    const results = await Promise.allSettled([queue.runBatched(1, policy, T), queue.runBatched(2, policy, T)]);
    await blocker;
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['batch failed', 'batch failed']);
  });
});
