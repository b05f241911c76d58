import { PioError, type PioErrorOptions } from '@pio/core';

/**
 * An image passed core's checks (`InvalidImageError` covers refused, unreadable and oversized sources) but could not be
 * decoded: its data is corrupt or truncated. Reasons other than `decode` are kept for compatibility and no longer thrown.
 */
export class ImageLoadError extends PioError {
  /** A short description of the source (path, URL scheme and host, or `bytes`). */
  readonly source: string;
  /** What went wrong: `read`, `fetch`, `timeout`, `decode` or `unsupported-source`. */
  readonly reason: 'read' | 'fetch' | 'timeout' | 'decode' | 'unsupported-source';

  constructor(fields: { source: string; reason: ImageLoadError['reason']; detail: string }, options: PioErrorOptions = {}) {
    super(
      'PIO_IMAGE_LOAD',
      `Could not load image ${fields.source} (${fields.reason}): ${fields.detail}. ` +
        'Pass a PNG, JPEG or WebP as a file path, file:/http(s):/data: URL, or bytes.',
      options,
    );
    this.name = 'ImageLoadError';
    this.source = fields.source;
    this.reason = fields.reason;
  }

  /** True when `error` is an {@link ImageLoadError} from any copy of this package. */
  static override isInstance(error: unknown): error is ImageLoadError {
    return PioError.isInstance(error) && error.code === 'PIO_IMAGE_LOAD';
  }
}
