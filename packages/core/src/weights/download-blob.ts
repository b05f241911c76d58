import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { DownloadError } from '../errors/download-error.js';
import { DownloadIntegrityError } from '../errors/download-integrity-error.js';
import { delay, isRetryable, normalizeEtag, problemOfStatus, toDownloadError } from './hub-request.js';
import { createStallTimer, type StallTimer } from './stall-timer.js';

/** One file to fetch from the Hub's `resolve` endpoint into the cache's `blobs/` folder. */
export interface BlobDownload {
  readonly repoId: string;
  /** Path of the file in the repository. */
  readonly file: string;
  /** `{hub}/{repo}/resolve/{commit}/{file}`. */
  readonly url: string;
  readonly commit: string;
  /** Size published by the tree listing. */
  readonly size: number;
  /**
   * Hash published by the tree listing: the LFS sha256, or the git blob id of a regular file; `undefined` for a
   * Xet file listed without LFS info (only its size is checked).
   */
  readonly hash: { readonly algorithm: 'sha256' | 'git-sha1'; readonly value: string } | undefined;
  readonly incompletePath: string;
  readonly blobPath: string;
  readonly fetch: typeof fetch;
  readonly accessToken?: string;
  readonly signal?: AbortSignal;
  readonly retries: number;
  readonly retryDelayMs: number;
  /** Longest wait for the server (connecting, answer, next bytes) before a transfer fails (and is retried); 0: forever. */
  readonly timeoutMs: number;
  onStart(resumedFrom: number): void;
  onBytes(fileBytes: number): void;
  onRetry(fileBytes: number): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function newHasher(job: BlobDownload): Hash {
  if (job.hash?.algorithm !== 'git-sha1') return createHash('sha256');
  return createHash('sha1').update(`blob ${job.size}\0`);
}

async function hashPrefix(path: string, length: number, hasher: Hash): Promise<void> {
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) hasher.update(chunk as Buffer);
}

async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Downloads one file to `blobs/<hash>.incomplete`, continuing an earlier partial download with an HTTP Range
 * request (also after a dropped connection, up to `retries` times), verifies its size and hash, and renames it to
 * `blobs/<hash>`. A hash mismatch deletes the bytes and throws `DownloadIntegrityError`. An abort leaves the
 * `.incomplete` file for the next attempt and rejects with the signal's reason.
 */
export async function downloadBlob(job: BlobDownload): Promise<void> {
  const existing = await stat(job.incompletePath).then(
    (s) => s.size,
    () => -1,
  );
  let written = existing > job.size ? 0 : Math.max(existing, 0);
  let hasher = newHasher(job);
  const handle = await open(job.incompletePath, existing >= 0 ? 'r+' : 'w');
  try {
    await handle.truncate(written);
    if (written > 0) await hashPrefix(job.incompletePath, written, hasher);
    job.onStart(written);
    let failures = 0;
    while (written < job.size) {
      try {
        job.signal?.throwIfAborted();
        const timer = createStallTimer(job.timeoutMs, new URL(job.url).origin, job.signal);
        try {
          const { body, restart } = await requestFrom(job, written, timer);
          if (restart) {
            written = 0;
            hasher = newHasher(job);
            await handle.truncate(0);
          }
          for await (const chunk of body) {
            timer.touch();
            const bytes = chunk as Uint8Array;
            if (written + bytes.byteLength > job.size) {
              throw new DownloadError({
                repoId: job.repoId,
                file: job.file,
                problem: 'bad-response',
                detail: `the server sent more than the ${job.size} bytes published`,
              });
            }
            await writeAt(handle, bytes, written);
            hasher.update(bytes);
            written += bytes.byteLength;
            job.onBytes(written);
          }
        } finally {
          timer.dispose();
        }
        if (written < job.size) throw new Error(`the connection closed after ${written} of ${job.size} bytes`);
      } catch (error) {
        if (job.signal?.aborted) throw job.signal.reason;
        if (!isRetryable(error) || failures >= job.retries) throw toDownloadError(error, job.repoId, job.file);
        failures += 1;
        job.onRetry(written);
        await delay(job.retryDelayMs * failures, job.signal);
      }
    }
  } finally {
    await handle.close();
  }
  const actual = hasher.digest('hex');
  if (job.hash !== undefined && actual !== job.hash.value) {
    await rm(job.incompletePath, { force: true });
    throw new DownloadIntegrityError({ repoId: job.repoId, file: job.file, algorithm: job.hash.algorithm, expected: job.hash.value, actual });
  }
  await rename(job.incompletePath, job.blobPath);
}

/** GETs the file from byte `offset`, following redirects by hand so the Hub's own headers can be checked. */
async function requestFrom(job: BlobDownload, offset: number, timer: StallTimer): Promise<{ body: AsyncIterable<Uint8Array>; restart: boolean }> {
  const fail = (detail: string, status?: number) =>
    new DownloadError({ repoId: job.repoId, file: job.file, problem: status === undefined ? 'bad-response' : problemOfStatus(status), status, detail });
  let url = new URL(job.url);
  const hubOrigin = url.origin;
  let hubChecked = false;
  for (let hop = 0; hop <= 10; hop++) {
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    if (job.accessToken && url.origin === hubOrigin) headers.Authorization = `Bearer ${job.accessToken}`;
    timer.origin = url.origin;
    const response = await job.fetch(url, { headers, redirect: 'manual', signal: timer.signal });
    timer.touch();
    if (!hubChecked) {
      checkHubHeaders(job, response.headers, fail);
      hubChecked = true;
    }
    if (REDIRECTS.has(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw fail(`HTTP ${response.status} redirect without a Location header`);
      url = new URL(location, url);
      continue;
    }
    if (response.status === 416 && offset > 0) {
      await response.body?.cancel();
      return { ...(await requestFrom(job, 0, timer)), restart: true };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw fail(`${url.origin}${url.pathname} answered HTTP ${response.status}`, response.status);
    }
    if (!response.body) throw fail('the response has no body');
    if (offset > 0 && response.status === 206) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (start === undefined || Number(start) !== offset) {
        await response.body.cancel();
        throw fail(`asked for bytes from ${offset}, got Content-Range "${response.headers.get('content-range')}"`);
      }
    }
    return { body: response.body as unknown as AsyncIterable<Uint8Array>, restart: offset > 0 && response.status === 200 };
  }
  throw fail('more than 10 redirects');
}

function checkHubHeaders(job: BlobDownload, headers: Headers, fail: (detail: string) => DownloadError): void {
  const commit = headers.get('x-repo-commit');
  if (commit !== null && commit !== job.commit) throw fail(`the Hub served commit ${commit}, expected ${job.commit}`);
  const linkedSize = headers.get('x-linked-size');
  if (linkedSize !== null && Number(linkedSize) !== job.size) throw fail(`X-Linked-Size ${linkedSize} differs from the listed size ${job.size}`);
  const linkedEtag = normalizeEtag(headers.get('x-linked-etag'));
  if (linkedEtag !== undefined && job.hash?.algorithm === 'sha256' && linkedEtag !== job.hash.value) {
    throw fail(`X-Linked-Etag ${linkedEtag} differs from the listed sha256 ${job.hash.value}`);
  }
}
