import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpRequestError } from '../errors/http-request-error.js';

/** Where the server may take images from. */
export interface ImageSourcePolicy {
  /** Folders `file:` URLs may point into; none means `file:` URLs are refused. */
  fileRoots: readonly string[];
  /** Allow `http:` and `https:` URLs (fetched by the server). */
  allowRemote: boolean;
  /** Largest image, in bytes. */
  maxBytes: number;
  /** Aborts a fetch. */
  signal?: AbortSignal;
}

/**
 * Turns an `image_url` URL (`data:`, `file:`, `http(s):`) into the image's bytes. `param` names the
 * request field in the 400 sent back when the URL is refused or unreadable.
 */
export async function resolveImageUrl(url: string, policy: ImageSourcePolicy, param: string): Promise<Uint8Array> {
  const refuse = (message: string, cause?: unknown): HttpRequestError =>
    new HttpRequestError(`The image at '${param}' ${message}.`, { status: 400, type: 'invalid_request_error', param, errorCode: 'invalid_image_url' }, { cause });
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    if (comma < 0) throw refuse('is a malformed data: URL (expected data:<mime>;base64,<data>)');
    const header = url.slice(5, comma);
    const payload = url.slice(comma + 1);
    const bytes = header.endsWith(';base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
    if (bytes.length === 0) throw refuse('is empty');
    if (bytes.length > policy.maxBytes) throw refuse(`is larger than ${policy.maxBytes} bytes`);
    return new Uint8Array(bytes);
  }
  if (url.startsWith('file:')) {
    if (policy.fileRoots.length === 0) throw refuse('is a file: URL, which this server does not accept (start it with --allow-files <dir>)');
    let path: string;
    try {
      path = await realpath(fileURLToPath(url));
    } catch (cause) {
      throw refuse('cannot be found', cause);
    }
    const inside = await anyRootContains(policy.fileRoots, path);
    if (!inside) throw refuse('is outside the folders this server may read');
    const bytes = await readFile(path).catch((cause: unknown) => {
      throw refuse('cannot be read', cause);
    });
    if (bytes.length > policy.maxBytes) throw refuse(`is larger than ${policy.maxBytes} bytes`);
    return new Uint8Array(bytes);
  }
  if (url.startsWith('http://') || url.startsWith('https://')) {
    if (!policy.allowRemote) throw refuse('is an http(s) URL, which this server does not fetch (send it as a data: URL)');
    return fetchImage(url, policy, refuse);
  }
  throw refuse('must be a data:, file: or http(s): URL');
}

async function fetchImage(
  url: string,
  policy: ImageSourcePolicy,
  refuse: (message: string, cause?: unknown) => HttpRequestError,
): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(30_000);
  const signal = policy.signal ? AbortSignal.any([policy.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (cause) {
    throw refuse(`could not be fetched (${(cause as Error).message})`, cause);
  }
  if (!response.ok) throw refuse(`could not be fetched (HTTP ${response.status})`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > policy.maxBytes) throw refuse(`is larger than ${policy.maxBytes} bytes`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > policy.maxBytes) throw refuse(`is larger than ${policy.maxBytes} bytes`);
  return bytes;
}

async function anyRootContains(roots: readonly string[], path: string): Promise<boolean> {
  for (const root of roots) {
    const real = await realpath(root).catch(() => root);
    const rel = relative(real, path);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return true;
  }
  return false;
}
