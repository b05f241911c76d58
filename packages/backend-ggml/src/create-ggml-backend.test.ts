import { availableParallelism } from 'node:os';
import { InvalidConfigError, PioError } from '@pio/core';
import { INVALID_THREAD_COUNTS } from '@pio/core/testing';
import { describe, expect, it } from 'vitest';
import { createGgmlBackend } from './create-ggml-backend.js';

describe('createGgmlBackend threads', () => {
  it.each(INVALID_THREAD_COUNTS)('rejects threads %s with an InvalidConfigError naming threads and the value', async (threads, shown) => {
    const error = await createGgmlBackend({ device: 'cpu', threads: threads as number }).catch((e: unknown) => e);
    expect(PioError.isInstance(error)).toBe(true);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const invalid = error as InvalidConfigError;
    expect(invalid.code).toBe('PIO_INVALID_CONFIG');
    expect(invalid.source).toBe('createGgmlBackend options');
    expect(invalid.issues).toEqual([{ path: 'threads', expected: expect.stringContaining('a positive integer'), found: shown }]);
    expect(invalid.message).toContain('threads: expected a positive integer (at most 2147483647): pass one, e.g. os.availableParallelism()');
    expect(invalid.message).toContain(`found ${shown}\n`);
  });

  it.each([1, 2])('starts with threads %i and reports that count', async (threads) => {
    const backend = await createGgmlBackend({ device: 'cpu', threads });
    try {
      expect(backend.threads).toBe(threads);
      const y = backend.add(backend.tensor([1, 2, 3], [3]), 1);
      expect([...(await y.data())]).toEqual([2, 3, 4]);
    } finally {
      backend.dispose();
    }
  });

  it('uses every core when threads is left out', async () => {
    const backend = await createGgmlBackend({ device: 'cpu' });
    try {
      expect(backend.threads).toBe(availableParallelism());
    } finally {
      backend.dispose();
    }
  });
});
