import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { INVALID_THREAD_COUNTS } from '../testing/invalid-thread-counts.js';
import { checkThreadCount, MAX_THREAD_COUNT } from './thread-count-rules.js';

const option = { source: 'test options', path: 'threads', hint: ', or leave threads out' };

describe('checkThreadCount', () => {
  it('passes undefined and integers from 1 to 2^31 - 1 through unchanged', () => {
    for (const value of [undefined, 1, 2, 512, MAX_THREAD_COUNT]) expect(checkThreadCount(value, option)).toBe(value);
  });

  it.each(INVALID_THREAD_COUNTS)('refuses %s, naming the option, what to pass and the value', (value, shown) => {
    const error = (() => {
      try {
        checkThreadCount(value, option);
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).source).toBe('test options');
    expect((error as InvalidConfigError).issues).toEqual([
      { path: 'threads', expected: 'a positive integer (at most 2147483647), or leave threads out', found: shown },
    ]);
  });
});
