/**
 * Gives the event loop a turn: resolves from `setImmediate`, i.e. after pending I/O callbacks and due timers have run
 * (a resolved promise would not let them run; a timer would add at least a millisecond per call).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
