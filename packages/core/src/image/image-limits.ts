/** Largest encoded image read, in bytes, unless a caller says otherwise (20 MiB). */
export const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * Most pixels an image may declare in its header before it is decoded (40 megapixels, e.g. 8000x5000). Larger images
 * are refused without decoding, which stops decompression bombs (a few hundred KB that decode to billions of pixels).
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;
