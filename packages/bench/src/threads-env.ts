import { MAX_THREAD_COUNT } from '@pio/core';

/**
 * The CPU thread count a bench script was given in the environment variable `name` (default `THREADS`; the
 * `pnpm bench` scripts read `PIO_BENCH_THREADS`), or `fallback` (2) when it is unset. Throws on anything but a
 * positive integer (`0`, `-1`, `2.5`, `abc`, an empty value), naming the variable, so that a typo stops the benchmark
 * before it reaches ggml or node-llama-cpp, and a benchmark never runs with a thread count it was not asked for.
 * Internal to the bench scripts.
 *
 * @param name The environment variable to read.
 * @param fallback The count when the variable is unset.
 * @param env The environment (tests pass their own).
 */
export function threadsEnv(name = 'THREADS', fallback = 2, env: NodeJS.ProcessEnv = process.env): number {
  const value = env[name];
  if (value === undefined) return fallback;
  const threads = Number(value);
  // ggml and llama.cpp take the count as a C int
  if (value.trim() === '' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREAD_COUNT) {
    throw new Error(`${name} must be a positive integer (a CPU thread count; unset: ${fallback}), got '${value}'`);
  }
  return threads;
}
