import { PioError, type PioErrorOptions } from './pio-error.js';

/** Why an image source was refused (see {@link InvalidImageError}). */
export type InvalidImageReason =
  | 'malformed-data-url'
  | 'empty'
  | 'too-large'
  | 'too-many-pixels'
  | 'not-an-image'
  | 'unsupported-source'
  | 'files-not-allowed'
  | 'remote-not-allowed'
  | 'fetch-failed'
  | 'unreadable';

const ADVICE: Record<InvalidImageReason, string> = {
  'malformed-data-url': 'Send data:<mime>;base64,<standard base64> or a data: URL with valid %XX escapes',
  empty: 'Send a PNG, JPEG, WebP or GIF image',
  'too-large': 'Send a smaller image',
  'too-many-pixels': 'Send a smaller image (fewer pixels)',
  'not-an-image': 'Send a PNG, JPEG, WebP or GIF image',
  'unsupported-source': 'Use a data:, http(s): or file: URL (or a file path where paths are accepted)',
  'files-not-allowed': 'Send the image as a data: URL, or allow a folder of image files (e.g. `pio serve --allow-files <dir>`)',
  'remote-not-allowed': 'Send the image as a data: URL',
  // one message for every remote failure: it must not tell a refused address from a closed port, a timeout or a size
  'fetch-failed': 'It was refused, could not be reached, or did not answer with an image within the size and time limits. Send the image as a data: URL',
  unreadable: 'Check that the file exists and is readable',
};

/**
 * An image given to a model (data: URL, file, http(s) URL or bytes) was refused before decoding: malformed, too big,
 * too many pixels (a decompression bomb), not an image, from a source that is not allowed, or could not be fetched or
 * read. Remote failures all carry the same message (`fetch-failed`) so that it reveals nothing about the network
 * behind the server; the underlying error is the `cause`.
 */
export class InvalidImageError extends PioError {
  /** A short description of the source (`data: URL`, `bytes`, the URL or path). */
  readonly source: string;
  /** Why it was refused. */
  readonly reason: InvalidImageReason;
  /** The limit passed (`too-large`: bytes, `too-many-pixels`: pixels). */
  readonly limit: number | undefined;

  constructor(fields: { source: string; reason: InvalidImageReason; detail: string; limit?: number }, options: PioErrorOptions = {}) {
    super('PIO_INVALID_IMAGE', `The image (${fields.source}) ${fields.detail}. ${ADVICE[fields.reason]}.`, options);
    this.name = 'InvalidImageError';
    this.source = fields.source;
    this.reason = fields.reason;
    this.limit = fields.limit;
  }

  /** True when `error` is an {@link InvalidImageError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is InvalidImageError {
    return PioError.isInstance(error) && error.code === 'PIO_INVALID_IMAGE';
  }
}
