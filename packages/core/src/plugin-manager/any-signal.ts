/**
 * A signal that aborts when any of `signals` aborts, with that signal's reason. `AbortSignal.any` where Node has it
 * (20.3+); a listener-based fallback before. Internal to the manager.
 */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (given.length === 1) return given[0];
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(given);
  const controller = new AbortController();
  const aborted = given.find((signal) => signal.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return controller.signal;
  }
  const onAbort = (event: Event): void => {
    for (const signal of given) signal.removeEventListener('abort', onAbort);
    controller.abort((event.target as AbortSignal).reason);
  };
  for (const signal of given) signal.addEventListener('abort', onAbort, { once: true });
  return controller.signal;
}
