import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PioError } from '@pio/core';
import sharp from 'sharp';
import { ImageLoadError } from '../errors/image-load-error.js';
import type { RawImage } from './pillow-bicubic-resize.js';

/** Where an image comes from: a file path, a `file:`, `http(s):` or `data:` URL, or the encoded bytes. */
export type ImageSource = string | Uint8Array;

/** Options of {@link loadImage}. */
export interface LoadImageOptions {
  /** Folder that relative paths are resolved against (default: the working directory). */
  baseDir?: string;
  /** Milliseconds before an `http(s):` download is abandoned (default 30 000). */
  timeoutMs?: number;
  /** Cancels a download. */
  signal?: AbortSignal;
  /** Checks a local path before it is read (a plugin passes the manager's path guard); returns the path to read. */
  validatePath?: (path: string) => Promise<string>;
  /** The fetch used for `http(s):` images (a plugin passes the manager's trust-guarded fetch). Default the global fetch. */
  fetch?: typeof fetch;
}

function describe(source: ImageSource): string {
  if (typeof source !== 'string') return `(${source.byteLength} bytes)`;
  if (source.startsWith('data:')) return 'data: URL';
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

async function fetchBytes(url: string, options: LoadImageOptions): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await (options.fetch ?? fetch)(url, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    if (PioError.isInstance(cause)) throw cause; // e.g. NetworkNotAllowedError from the trust-guarded fetch
    const timedOut = timeout.aborted;
    throw new ImageLoadError(
      { source: describe(url), reason: timedOut ? 'timeout' : 'fetch', detail: timedOut ? 'download timed out' : String(cause) },
      { cause },
    );
  }
}

function decodeDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (comma < 0) throw new ImageLoadError({ source: 'data: URL', reason: 'decode', detail: 'no comma in data URL' });
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return meta.endsWith(';base64') ? new Uint8Array(Buffer.from(body, 'base64')) : new Uint8Array(Buffer.from(decodeURIComponent(body), 'latin1'));
}

async function readLocal(path: string, options: LoadImageOptions): Promise<Uint8Array> {
  const full = isAbsolute(path) ? path : resolve(options.baseDir ?? process.cwd(), path);
  const checked = options.validatePath ? await options.validatePath(full) : full;
  try {
    return new Uint8Array(await readFile(checked));
  } catch (cause) {
    throw new ImageLoadError({ source: describe(path), reason: 'read', detail: String(cause) }, { cause });
  }
}

/** The encoded bytes of an image source (reads files, fetches URLs, decodes data URLs). */
export async function readImageBytes(source: ImageSource, options: LoadImageOptions = {}): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  if (source.startsWith('data:')) return decodeDataUrl(source);
  if (source.startsWith('http://') || source.startsWith('https://')) return fetchBytes(source, options);
  if (source.startsWith('file:')) return readLocal(fileURLToPath(source), options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new ImageLoadError({ source: describe(source), reason: 'unsupported-source', detail: 'only file:, http:, https: and data: URLs are read' });
  }
  return readLocal(source, options);
}

/**
 * Loads an image as 8-bit RGB, as transformers' `load_image` + `convert('RGB')` do: the EXIF orientation is applied,
 * alpha is dropped (not composited), grey and palette images are expanded to RGB.
 */
export async function loadImage(source: ImageSource, options: LoadImageOptions = {}): Promise<RawImage> {
  const bytes = await readImageBytes(source, options);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (cause) {
    throw new ImageLoadError({ source: describe(source), reason: 'decode', detail: String(cause) }, { cause });
  }
}
