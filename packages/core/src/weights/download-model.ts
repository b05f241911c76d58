import { listFiles, modelInfo, type ListFileEntry } from '@huggingface/hub';
import { copyFile, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { DownloadError } from '../errors/download-error.js';
import { downloadBlob } from './download-blob.js';
import type { DownloadProgress } from './download-progress.js';
import { DEFAULT_MODEL_FILES, matchesFileGlob } from './file-glob.js';
import { hfHubCacheDir, hfRepoFolderName, isCommitHash, isHfRepoId } from './hf-cache.js';
import { toDownloadError } from './hub-request.js';
import { createStallTimer } from './stall-timer.js';

/** HTTP statuses whose responses have no body (a `Response` built with one throws). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** `https://huggingface.co` of a fetch input. */
function originOf(input: Parameters<typeof fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Options for {@link downloadModel}. */
export interface DownloadModelOptions {
  /** Branch, tag or commit. Default `main`. */
  revision?: string;
  /** Hugging Face hub cache folder. Default: `hfHubCacheDir()` (`HF_HUB_CACHE`, `HF_HOME/hub`, `~/.cache/huggingface/hub`). */
  cacheDir?: string;
  /** Hub endpoint. Default `https://huggingface.co`. */
  hubUrl?: string;
  /** Access token (`hf_…`) for private or gated repositories; sent to the Hub only, never to the CDN it redirects to. */
  accessToken?: string;
  /** `fetch` implementation (proxies, tests). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Called with per-file and total byte progress. */
  onProgress?: (event: DownloadProgress) => void;
  /** Cancels the download; partial files stay as `blobs/<hash>.incomplete` and are resumed next time. */
  signal?: AbortSignal;
  /** Globs of repository paths to fetch (see `matchesFileGlob`), or a predicate. Default {@link DEFAULT_MODEL_FILES}. */
  files?: readonly string[] | ((path: string) => boolean);
  /** Retries of a file after a dropped connection or HTTP 429/5xx, each resuming with a Range request. Default 5. */
  retries?: number;
  /** Wait before retry n is `n * retryDelayMs`. Default 1000. */
  retryDelayMs?: number;
  /**
   * Longest wait for the Hub or its CDN (connecting, the answer, the next bytes of a file) before the request fails
   * with a timeout naming the server; a file transfer that times out is retried (see `retries`). 0 waits forever.
   * Default 30 000 ms.
   */
  timeoutMs?: number;
}

function isSafeRepoPath(path: string): boolean {
  return path.length > 0 && !path.startsWith('/') && !path.includes('\\') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

/** Points the snapshot file at its blob with a relative symlink (a copy where symlinks are not allowed). */
async function linkSnapshotFile(blobPath: string, pointerPath: string): Promise<void> {
  await mkdir(dirname(pointerPath), { recursive: true });
  await rm(pointerPath, { force: true });
  try {
    await symlink(relative(dirname(pointerPath), blobPath), pointerPath);
  } catch {
    await copyFile(blobPath, pointerPath);
  }
}

/**
 * Downloads a model repository from the Hugging Face Hub into the standard cache layout shared with Python's
 * `huggingface_hub`: `models--org--name/blobs/<sha256 or git blob id>`, `snapshots/<commit>/<file>` (relative
 * symlinks) and `refs/<revision>`. Returns the snapshot folder.
 *
 * The commit comes from `/api/models/{repo}/revision/{revision}`, the file list (sizes, LFS sha256) from the tree
 * API, both through `@huggingface/hub`; files come from `/{repo}/resolve/{commit}/{file}`, following the redirect
 * of LFS files. Files already in the cache are skipped; interrupted ones resume with a Range request. Every file is
 * verified (sha256 for LFS files, git blob id for the others). Throws `DownloadError` or `DownloadIntegrityError`;
 * rejects with the signal's reason when aborted.
 */
export async function downloadModel(repoId: string, options: DownloadModelOptions = {}): Promise<string> {
  if (!isHfRepoId(repoId)) {
    throw new DownloadError({ repoId, problem: 'not-found', detail: 'this is not a repository id of the form org/name' });
  }
  const { accessToken, signal } = options;
  if (accessToken !== undefined && !accessToken.startsWith('hf_')) {
    throw new DownloadError({ repoId, problem: 'unauthorized', detail: 'the access token does not start with "hf_"' });
  }
  const hubUrl = (options.hubUrl ?? 'https://huggingface.co').replace(/\/+$/, '');
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // an API answer is small: read it whole under the timer, so a stalled body fails as well as a stalled connection
  const signalFetch: typeof fetch = async (input, init) => {
    const timer = createStallTimer(timeoutMs, originOf(input), init?.signal ?? signal);
    try {
      const response = await baseFetch(input, { ...init, signal: timer.signal });
      const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      timer.dispose();
    }
  };
  const revision = options.revision ?? 'main';
  if (!isSafeRepoPath(revision)) throw new DownloadError({ repoId, problem: 'not-found', detail: `"${revision}" is not a valid revision` });
  const repoDir = join(options.cacheDir ?? hfHubCacheDir(), hfRepoFolderName(repoId));
  const select =
    typeof options.files === 'function'
      ? options.files
      : (path: string) => matchesFileGlob(path, (options.files as readonly string[] | undefined) ?? DEFAULT_MODEL_FILES);

  let commit: string;
  const entries: ListFileEntry[] = [];
  try {
    commit = isCommitHash(revision)
      ? revision
      : (await modelInfo({ name: repoId, revision, hubUrl, fetch: signalFetch, accessToken, additionalFields: ['sha'] })).sha;
    if (typeof commit !== 'string' || !isCommitHash(commit)) {
      throw new DownloadError({ repoId, problem: 'bad-response', detail: `the Hub gave no commit hash for revision "${revision}"` });
    }
    for await (const entry of listFiles({
      repo: { type: 'model', name: repoId },
      revision: commit,
      recursive: true,
      hubUrl,
      fetch: signalFetch,
      accessToken,
    })) {
      if (entry.type === 'file' && select(entry.path)) entries.push(entry);
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toDownloadError(error, repoId);
  }
  if (entries.length === 0) throw new DownloadError({ repoId, problem: 'no-files', detail: `no file of revision ${commit} matches the file filter` });
  const unsafe = entries.find((e) => !isSafeRepoPath(e.path));
  if (unsafe) throw new DownloadError({ repoId, file: unsafe.path, problem: 'unsafe-path', detail: 'the path is absolute or contains ".." or "\\"' });

  const snapshotDir = join(repoDir, 'snapshots', commit);
  const totalBytes = entries.reduce((sum, e) => sum + (e.lfs?.size ?? e.size), 0);
  let doneBytes = 0;
  let filesDone = 0;
  for (const entry of entries) {
    signal?.throwIfAborted();
    const file = entry.path;
    // Blob name as huggingface_hub: the LFS sha256, else (a Xet file listed without LFS info) the Xet hash, else the git blob id.
    const xetOnly = entry.lfs === undefined && entry.xetHash !== undefined;
    const hashValue = entry.lfs?.oid ?? entry.xetHash ?? entry.oid;
    if (hashValue === undefined || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(hashValue)) {
      throw new DownloadError({ repoId, file, problem: 'bad-response', detail: `the tree listing has no usable hash for the file (${String(hashValue)})` });
    }
    const size = entry.lfs?.size ?? entry.size;
    const blobPath = join(repoDir, 'blobs', hashValue);
    const pointerPath = join(snapshotDir, ...file.split('/'));
    const event = (type: DownloadProgress['type'], fileBytes: number, extra: Partial<DownloadProgress> = {}) =>
      options.onProgress?.({
        type,
        file,
        fileBytes,
        fileTotalBytes: size,
        bytes: doneBytes + fileBytes,
        totalBytes,
        filesDone,
        filesTotal: entries.length,
        ...extra,
      });

    const cached = (await sizeOf(blobPath)) === size;
    if (!cached) {
      await mkdir(dirname(blobPath), { recursive: true });
      await downloadBlob({
        repoId,
        file,
        url: `${hubUrl}/${repoId}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`,
        commit,
        size,
        hash: xetOnly ? undefined : { algorithm: entry.lfs ? 'sha256' : 'git-sha1', value: hashValue },
        incompletePath: `${blobPath}.incomplete`,
        blobPath,
        fetch: baseFetch,
        accessToken,
        signal,
        retries: options.retries ?? 5,
        retryDelayMs: options.retryDelayMs ?? 1000,
        timeoutMs,
        onStart: (resumedFrom) => event('file-start', resumedFrom, { resumedFrom }),
        onBytes: (fileBytes) => event('progress', fileBytes),
        onRetry: (fileBytes) => event('retry', fileBytes),
      });
    }
    if ((await sizeOf(pointerPath)) !== size) await linkSnapshotFile(blobPath, pointerPath);
    filesDone += 1;
    event('file-done', size, { cached });
    doneBytes += size;
  }
  if (revision !== commit) {
    const refPath = join(repoDir, 'refs', ...revision.split('/'));
    await mkdir(dirname(refPath), { recursive: true });
    await writeFile(refPath, commit);
  }
  return snapshotDir;
}
