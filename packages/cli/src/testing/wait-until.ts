import { expect } from 'vitest';

/**
 * Waits until `predicate()` holds, checking every 5 ms (vitest's `expect.poll`), and fails naming `what` when it has
 * not held within `timeoutMs`. A wait on a condition, never a fixed sleep: it returns as soon as the condition holds,
 * so the generous default only matters on a loaded machine, where a step can take far longer than usual.
 */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  await expect.poll(predicate, { interval: 5, timeout: timeoutMs, message: `timed out waiting until ${what}` }).toBe(true);
}
