import { InvalidImageError } from '../errors/invalid-image-error.js';

/** Options of {@link readRemoteImage}. */
export interface ReadRemoteImageOptions {
  /** The fetch to use (guarded: it refuses private addresses). */
  fetch: typeof fetch;
  /** Largest body, in bytes; the download stops as soon as it passes it. */
  maxBytes: number;
  /** Milliseconds before the download is abandoned. */
  timeoutMs: number;
  /** Cancels the download (its reason is rethrown as is). */
  signal?: AbortSignal;
  /** How the source is named in the error. */
  described: string;
}

/** An `AbortSignal` that aborts with either input (`AbortSignal.any` needs Node 20.3); `dispose` removes the listeners. */
function eitherSignal(a: AbortSignal, b: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  if (!b) return { signal: a, dispose: () => undefined };
  const controller = new AbortController();
  const onA = (): void => controller.abort(a.reason);
  const onB = (): void => controller.abort(b.reason);
  if (a.aborted) onA();
  else if (b.aborted) onB();
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener('abort', onA);
      b.removeEventListener('abort', onB);
    },
  };
}

/**
 * Downloads an image body, stopping (and cancelling the body) as soon as it passes `maxBytes`, so a huge or endless
 * body never sits in memory. Every failure (refused address, connection error, non-2xx status, timeout, too large)
 * becomes the same `InvalidImageError` (`fetch-failed`), with the real error as `cause`; only the caller's own abort
 * is rethrown as is.
 */
export async function readRemoteImage(url: string, options: ReadRemoteImageOptions): Promise<Uint8Array> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`download timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
  const { signal, dispose } = eitherSignal(timeout.signal, options.signal);
  const fail = (cause: unknown): InvalidImageError => {
    return new InvalidImageError({ source: options.described, reason: 'fetch-failed', detail: 'could not be fetched' }, { cause });
  };
  try {
    const response = await options.fetch(url, { signal, redirect: 'follow' });
    const body = response.body;
    if (!response.ok || body === null) {
      await body?.cancel().catch(() => undefined);
      throw fail(new Error(`HTTP ${response.status}`));
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      await body.cancel().catch(() => undefined);
      throw fail(new Error(`content-length ${declared} passes the limit of ${options.maxBytes} bytes`));
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw fail(new Error(`the body passed the limit of ${options.maxBytes} bytes`));
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (InvalidImageError.isInstance(error)) throw error;
    throw fail(error);
  } finally {
    clearTimeout(timer);
    dispose();
  }
}
