import { InvalidImageError, createPathGuard } from '@pio/core';
import { readImageSource } from '@pio/core/image';
import { HttpRequestError } from '../errors/http-request-error.js';

/** Where the server may take images from, and how big they may be. */
export interface ImageSourcePolicy {
  /** Folders `file:` URLs may point into (symlinks resolved); none means `file:` URLs are refused. */
  fileRoots: readonly string[];
  /** Allow `http(s):` URLs (fetched by the server through `fetch`). */
  allowRemote: boolean;
  /** The fetch for remote images: `createNetworkFetch`, which refuses private addresses unless the operator allows them. */
  fetch: typeof fetch;
  /** Largest image, in bytes (enforced while a download streams in). */
  maxBytes: number;
  /** Most pixels an image's header may declare (checked before decoding). */
  maxPixels: number;
  /** Most images one request may carry. */
  maxImages: number;
  /** Aborts a fetch. */
  signal?: AbortSignal;
}

/**
 * Turns an `image_url` URL (`data:`, `file:`, `http(s):`) into the image's checked bytes through core's
 * `readImageSource`. Every refusal is a 400 naming the request field `param`; the 400 for a remote image is the same
 * whatever failed (refused address, closed port, status, size, timeout).
 */
export async function resolveImageUrl(url: string, policy: ImageSourcePolicy, param: string): Promise<Uint8Array> {
  try {
    const image = await readImageSource(url, {
      acceptPaths: false,
      maxBytes: policy.maxBytes,
      maxPixels: policy.maxPixels,
      ...(policy.fileRoots.length > 0 ? { validatePath: createPathGuard({ allowedRoots: policy.fileRoots }).validate } : {}),
      ...(policy.allowRemote ? { fetch: policy.fetch } : {}),
      ...(policy.signal ? { signal: policy.signal } : {}),
    });
    return image.bytes;
  } catch (error) {
    if (!InvalidImageError.isInstance(error)) throw error;
    const status = error.reason === 'too-large' ? 413 : 400;
    throw new HttpRequestError(
      `The image at '${param}' was refused: ${error.message}`,
      { status, type: 'invalid_request_error', param, errorCode: 'invalid_image_url' },
      { cause: error },
    );
  }
}

/**
 * Refuses a request with more than `policy.maxImages` images (400 naming the first image past the limit) before any
 * of them is read.
 */
export function checkImageCount(params: readonly string[], policy: Pick<ImageSourcePolicy, 'maxImages'>): void {
  if (params.length <= policy.maxImages) return;
  throw new HttpRequestError(`The request carries ${params.length} images; this server takes at most ${policy.maxImages} per request. Send fewer images.`, {
    status: 400,
    type: 'invalid_request_error',
    param: params[policy.maxImages],
    errorCode: 'too_many_images',
  });
}

/**
 * Refuses images sent to a model that takes text only (400 naming the first image's field), before any is read: a
 * text model never makes the server fetch or decode an image.
 */
export function checkImagesAccepted(params: readonly string[], model: { id: string; acceptsImages: boolean }): void {
  if (params.length === 0 || model.acceptsImages) return;
  throw new HttpRequestError(
    `The model '${model.id}' takes text only and cannot read the image at '${params[0]}'. Send text, or use a vision-language model.`,
    {
      status: 400,
      type: 'invalid_request_error',
      param: params[0],
      errorCode: 'unsupported_input',
    },
  );
}
