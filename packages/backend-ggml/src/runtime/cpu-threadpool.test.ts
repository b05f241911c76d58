import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGgmlBackend } from '../create-ggml-backend.js';

/** Threads of this process (Linux), or undefined elsewhere. */
const threadCount = (): number | undefined => (existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : undefined);

describe('persistent CPU threadpool', () => {
  it('keeps its worker threads across graphs and frees them with the backend', async () => {
    const before = threadCount();
    const backend = await createGgmlBackend({ device: 'cpu', threads: 3 });
    const during = threadCount();
    // two workers (the computing thread is the third) live from creation on, not per graph
    if (before !== undefined) expect(during).toBeGreaterThanOrEqual(before + 2);
    const x = backend.tensor(
      Float32Array.from({ length: 64 * 64 }, (_, i) => (i % 7) - 3),
      [64, 64],
    );
    for (let step = 0; step < 3; step++) {
      const y = backend.matmul(x, x);
      const values = await y.data();
      expect(values[0]).toBe(Array.from({ length: 64 }, (_, k) => ((k % 7) - 3) * (((k * 64) % 7) - 3)).reduce((a, b) => a + b, 0));
      y.dispose();
      if (during !== undefined) expect(threadCount()).toBe(during);
    }
    x.dispose();
    backend.dispose();
    if (during !== undefined) expect(threadCount()).toBeLessThanOrEqual(during - 2);
  });
});
