/** A signal for one request that fails it when the other side goes quiet (see {@link createStallTimer}). */
export interface StallTimer {
  /** Aborts on a stall (with an `ETIMEDOUT` error) or when the parent signal aborts (with its reason). */
  readonly signal: AbortSignal;
  /** Data arrived: the wait starts again. */
  touch(): void;
  /** The server the timeout message names (a redirect may move the request to another one). */
  origin: string;
  /** The request is over: stops the timer and forgets the parent signal. */
  dispose(): void;
}

/**
 * A signal that aborts when `timeoutMs` pass without {@link StallTimer.touch} (connecting, waiting for an answer, or
 * between two chunks of a body), with an error whose `code` is `ETIMEDOUT` and whose message names `origin`; or when
 * `parent` aborts. `timeoutMs` 0 (or not finite) never times out. Built by hand: `AbortSignal.any` needs Node 20.3.
 */
export function createStallTimer(timeoutMs: number, origin: string, parent?: AbortSignal): StallTimer {
  const controller = new AbortController();
  const onParent = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParent, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs) || controller.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const seconds = Number((timeoutMs / 1000).toFixed(3));
      controller.abort(Object.assign(new Error(`timed out: no data from ${stall.origin} for ${seconds} s`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
  };
  const stall: StallTimer = {
    signal: controller.signal,
    origin,
    touch: arm,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
  arm();
  return stall;
}
