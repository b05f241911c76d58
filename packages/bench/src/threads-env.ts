/**
 * The CPU thread count a bench script was given in `THREADS` (default 2). Throws on anything but a positive integer,
 * so that a benchmark never runs with a thread count it was not asked for. Internal to the bench scripts.
 */
export function threadsEnv(env: NodeJS.ProcessEnv = process.env): number {
  const threads = Number(env.THREADS ?? 2);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`THREADS must be a positive integer, got '${env.THREADS}'`);
  return threads;
}
