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
  return new DownloadError({ repoId, file, problem: 'http', detail: `the connection failed (${describeCauses(error)})` }, { cause: error });
}

/**
 * The messages of `error` and its causes, outermost first, with the innermost code: fetch's own message says only
 * `fetch failed`, its cause says why (`self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`, `connect
 * ECONNREFUSED 127.0.0.1:9`, `Connect Timeout Error (UND_ERR_CONNECT_TIMEOUT)`).
 */
export function describeCauses(error: unknown): string {
  const messages: string[] = [];
  let code: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !messages.some((m) => m.includes(message))) messages.push(message);
    const ownCode = (current as { code?: unknown }).code;
    if (typeof ownCode === 'string' && ownCode) code = ownCode;
    current = current instanceof Error ? (current as { cause?: unknown }).cause : undefined;
  }
  const text = messages.join(': ') || 'unknown error';
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text;
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
