import { resolveRealPath } from '@pio/core';
import { DEFAULT_MAX_IMAGE_PIXELS, describeImageSource, readImageSource, type ImageSource, type ReadImageSourceOptions } from '@pio/core/image';
import { createNetworkFetch } from '@pio/core';
import sharp from 'sharp';
import { ImageLoadError } from '../errors/image-load-error.js';
import type { RawImage } from './pillow-bicubic-resize.js';

export type { ImageSource } from '@pio/core/image';

/**
 * Options of {@link loadImage}: those of core's `readImageSource`. Used on its own (outside a plugin manager), files
 * are read wherever they are (`validatePath` defaults to resolving the path) and URLs are fetched with
 * `createNetworkFetch()` (private addresses refused); inside a manager the plugin passes its path guard and fetch.
 */
export type LoadImageOptions = ReadImageSourceOptions;

/** The checked, still encoded bytes of an image source (see core's `readImageSource`). */
export async function readImageBytes(source: ImageSource, options: LoadImageOptions = {}): Promise<Uint8Array> {
  const read = await readImageSource(source, {
    ...options,
    validatePath: options.validatePath ?? resolveRealPath,
    fetch: options.fetch ?? createNetworkFetch(),
  });
  return read.bytes;
}

/**
 * Loads an image as 8-bit RGB, as transformers' `load_image` + `convert('RGB')` do: the EXIF orientation is applied,
 * alpha is dropped (not composited), grey and palette images are expanded to RGB. The source is read and checked by
 * core's `readImageSource` first (size and pixel limits from the header, so a decompression bomb is never decoded).
 *
 * @throws InvalidImageError (from `@pio/core`) for a refused or unreadable source; ImageLoadError when decoding fails.
 */
export async function loadImage(source: ImageSource, options: LoadImageOptions = {}): Promise<RawImage> {
  const bytes = await readImageBytes(source, options);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (cause) {
    throw new ImageLoadError({ source: describeImageSource(source), reason: 'decode', detail: 'the image data is corrupt or truncated' }, { cause });
  }
}
