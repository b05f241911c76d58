/**
 * `@pio/core/image`: the one image reader of PIO (data: URLs, files through the path guard, http(s) through a guarded
 * fetch, limits on bytes and pixels checked before decoding), used by the server and by vision plugins.
 *
 * @module @pio/core/image
 */
export * from './image-limits.js';
export * from './read-image-header.js';
export * from './decode-data-url.js';
export * from './read-remote-image.js';
export * from './read-image-source.js';
