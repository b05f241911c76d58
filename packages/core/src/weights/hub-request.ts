import { HubApiError } from '@huggingface/hub';
import { DownloadError, type DownloadProblem } from '../errors/download-error.js';
import { PioError } from '../errors/pio-error.js';

/** The problem of an HTTP status (404 not found, 401/403 unauthorized, else http). */
export function problemOfStatus(status: number): DownloadProblem {
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'unauthorized';
  return 'http';
}

/** Converts an error from fetch or `@huggingface/hub` into a `DownloadError` (PIO errors pass through). */
export function toDownloadError(error: unknown, repoId: string, file?: string): unknown {
  if (PioError.isInstance(error)) return error;
  if (error instanceof HubApiError) {
    return new DownloadError(
      {
        repoId,
        file,
        problem: problemOfStatus(error.statusCode),
        status: error.statusCode,
        detail: `the Hub answered HTTP ${error.statusCode} (${error.message})`,
      },
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DownloadError({ repoId, file, problem: 'http', detail: `the connection failed (${message})` }, { cause: error });
}

/** True when a failed transfer is worth retrying: network errors, HTTP 429 and 5xx. */
export function isRetryable(error: unknown): boolean {
  if (DownloadError.isInstance(error)) return error.problem === 'http' && (error.status === undefined || error.status === 429 || error.status >= 500);
  return !PioError.isInstance(error);
}

/** Waits `ms`, rejecting with the signal's reason if it fires first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Removes the quotes and weak marker of an HTTP ETag: `W/"abc"` → `abc`. */
export function normalizeEtag(etag: string | null): string | undefined {
  if (etag === null) return undefined;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
