import { MAX_THREAD_COUNT } from '@pio/core';
import { intEnv } from './int-env.js';

/**
 * The CPU thread count a bench script was given in the environment variable `name` (default `THREADS`; the
 * `pnpm bench` scripts read `PIO_BENCH_THREADS`), or `fallback` (2) when it is unset: {@link intEnv} from 1 to
 * `MAX_THREAD_COUNT` (ggml and llama.cpp take the count as a C int), so that a typo stops the benchmark before it
 * reaches ggml or node-llama-cpp, and a benchmark never runs with a thread count it was not asked for. Internal to
 * the bench scripts.
 *
 * @param name The environment variable to read.
 * @param fallback The count when the variable is unset.
 * @param env The environment (tests pass their own).
 */
export function threadsEnv(name = 'THREADS', fallback = 2, env: NodeJS.ProcessEnv = process.env): number {
  return intEnv(name, fallback, { max: MAX_THREAD_COUNT, what: 'a CPU thread count' }, env);
}
