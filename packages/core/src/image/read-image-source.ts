import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidImageError } from '../errors/invalid-image-error.js';
import { PathNotAllowedError } from '../errors/path-not-allowed-error.js';
import { decodeDataUrl } from './decode-data-url.js';
import { DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_PIXELS } from './image-limits.js';
import { readImageHeader, type ImageHeader } from './read-image-header.js';
import { readRemoteImage } from './read-remote-image.js';

/** Where an image comes from: a file path, a `file:`, `http(s):` or `data:` URL, or the encoded bytes. */
export type ImageSource = string | Uint8Array;

/** Options of {@link readImageSource}. */
export interface ReadImageSourceOptions {
  /** Largest encoded image, in bytes; enforced while a download streams in. Default {@link DEFAULT_MAX_IMAGE_BYTES}. */
  maxBytes?: number;
  /** Most pixels the header may declare (checked before any decoding). Default {@link DEFAULT_MAX_IMAGE_PIXELS}. */
  maxPixels?: number;
  /**
   * The path guard files go through (a plugin passes its `validatePath`); returns the real path to read. Without it,
   * file paths and `file:` URLs are refused.
   */
  validatePath?: (path: string) => Promise<string>;
  /** Accept plain file paths (not only `file:` URLs). Default true. */
  acceptPaths?: boolean;
  /** Folder relative paths are resolved against. Default the working folder. */
  baseDir?: string;
  /**
   * The fetch for `http(s):` URLs (a plugin passes the manager's guarded fetch, a server `createNetworkFetch`). Without
   * it, remote URLs are refused.
   */
  fetch?: typeof fetch;
  /** Milliseconds before a download is abandoned. Default 30 000. */
  timeoutMs?: number;
  /** Cancels a download. */
  signal?: AbortSignal;
}

/** An image's encoded bytes with the format and size its header declares. */
export interface ImageBytes {
  /** The encoded file (PNG, JPEG, WebP or GIF). */
  bytes: Uint8Array;
  /** Format and size read from the header. */
  header: ImageHeader;
}

/** A short description of a source for messages (never the content of a data: URL, never URL credentials or query). */
export function describeImageSource(source: ImageSource): string {
  if (typeof source !== 'string') return `${source.byteLength} bytes`;
  if (source.startsWith('data:')) return 'data: URL';
  let text = source;
  if (/^https?:/i.test(source)) {
    try {
      const url = new URL(source);
      text = `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      text = 'malformed URL';
    }
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Checks encoded image bytes before any decoder sees them: not empty, at most `maxBytes`, a PNG, JPEG, WebP or GIF
 * header, and at most `maxPixels` pixels as the header declares them.
 *
 * @throws InvalidImageError (`empty`, `too-large`, `not-an-image`, `too-many-pixels`).
 */
export function checkImageBytes(
  bytes: Uint8Array,
  options: Pick<ReadImageSourceOptions, 'maxBytes' | 'maxPixels'> = {},
  source = describeImageSource(bytes),
): ImageBytes {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (bytes.byteLength === 0) throw new InvalidImageError({ source, reason: 'empty', detail: 'is empty' });
  if (bytes.byteLength > maxBytes) throw new InvalidImageError({ source, reason: 'too-large', detail: `is larger than ${maxBytes} bytes`, limit: maxBytes });
  const header = readImageHeader(bytes);
  if (header === undefined) throw new InvalidImageError({ source, reason: 'not-an-image', detail: 'is not a PNG, JPEG, WebP or GIF image' });
  if (!(header.width > 0 && header.height > 0)) {
    throw new InvalidImageError({ source, reason: 'not-an-image', detail: `declares an empty size (${header.width}x${header.height})` });
  }
  if (header.width * header.height > maxPixels) {
    throw new InvalidImageError({
      source,
      reason: 'too-many-pixels',
      detail: `is ${header.width}x${header.height} pixels, more than the limit of ${maxPixels}`,
      limit: maxPixels,
    });
  }
  return { bytes, header };
}

async function readLocalFile(path: string, source: string, options: ReadImageSourceOptions, maxBytes: number): Promise<Uint8Array> {
  if (!options.validatePath) {
    throw new InvalidImageError({ source, reason: 'files-not-allowed', detail: 'is a file, and files are not read here' });
  }
  const full = isAbsolute(path) ? path : resolve(options.baseDir ?? process.cwd(), path);
  let real: string;
  try {
    real = await options.validatePath(full);
  } catch (error) {
    if (!PathNotAllowedError.isInstance(error)) throw error;
    throw new InvalidImageError({ source, reason: 'files-not-allowed', detail: 'is outside the folders images may be read from' }, { cause: error });
  }
  const unreadable = (cause?: unknown): InvalidImageError => new InvalidImageError({ source, reason: 'unreadable', detail: 'cannot be read' }, { cause });
  const handle = await open(real, 'r').catch((cause: unknown) => {
    throw unreadable(cause);
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw unreadable();
    if (stats.size > maxBytes) throw new InvalidImageError({ source, reason: 'too-large', detail: `is larger than ${maxBytes} bytes`, limit: maxBytes });
    return new Uint8Array(await handle.readFile());
  } catch (error) {
    if (InvalidImageError.isInstance(error)) throw error;
    throw unreadable(error);
  } finally {
    await handle.close();
  }
}

/**
 * The one image reader of PIO: reads an {@link ImageSource} to checked, still encoded bytes. `data:` URLs are decoded
 * (malformed escapes or base64 refused); files go through `validatePath` after symlinks are resolved; `http(s):` URLs
 * go through the given `fetch` with the size limit enforced while the body streams in, and every remote failure gives
 * the same `fetch-failed` error; then {@link checkImageBytes} refuses non-images and images over `maxPixels` from the
 * header, before anything is decoded.
 *
 * @throws InvalidImageError for every refused or unreadable source.
 */
export async function readImageSource(source: ImageSource, options: ReadImageSourceOptions = {}): Promise<ImageBytes> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const described = describeImageSource(source);
  if (typeof source !== 'string') return checkImageBytes(source, options, described);
  let bytes: Uint8Array;
  if (/^data:/i.test(source)) {
    bytes = decodeDataUrl(source, maxBytes);
  } else if (/^https?:/i.test(source)) {
    if (!options.fetch)
      throw new InvalidImageError({ source: described, reason: 'remote-not-allowed', detail: 'is an http(s) URL, and remote images are not fetched here' });
    bytes = await readRemoteImage(source, { fetch: options.fetch, maxBytes, timeoutMs: options.timeoutMs ?? 30_000, signal: options.signal, described });
  } else if (/^file:/i.test(source)) {
    let path: string;
    try {
      path = fileURLToPath(source);
    } catch (cause) {
      throw new InvalidImageError({ source: described, reason: 'unsupported-source', detail: 'is not a valid local file: URL' }, { cause });
    }
    bytes = await readLocalFile(path, described, options, maxBytes);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    throw new InvalidImageError({ source: described, reason: 'unsupported-source', detail: 'has a URL scheme that is not read' });
  } else {
    if (options.acceptPaths === false) {
      throw new InvalidImageError({ source: described, reason: 'unsupported-source', detail: 'is not a data:, http(s): or file: URL' });
    }
    bytes = await readLocalFile(source, described, options, maxBytes);
  }
  return checkImageBytes(bytes, options, described);
}
