import { InvalidQwen3VLInputError } from '../errors/invalid-qwen3-vl-input-error.js';

/** Python's built-in `round` for one argument: nearest integer, ties to even (`round(2.5) == 2`). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Options of {@link smartResize}. */
export interface SmartResizeOptions {
  /** Both output sides are multiples of this (patch size x merge size, 32 for Qwen3-VL). */
  factor: number;
  /** Smallest output pixel count (`size.shortest_edge` in preprocessor_config.json). */
  minPixels: number;
  /** Largest output pixel count (`size.longest_edge` in preprocessor_config.json). */
  maxPixels: number;
}

/**
 * The output `[height, width]` an image is resized to before patching (transformers' `smart_resize`):
 * both sides rounded (half to even) to multiples of `factor`, then scaled down to fit `maxPixels` or up to
 * reach `minPixels`, keeping the aspect ratio as closely as the factor allows.
 */
export function smartResize(height: number, width: number, options: SmartResizeOptions): [number, number] {
  const { factor, minPixels, maxPixels } = options;
  if (!(height > 0 && width > 0)) {
    throw new InvalidQwen3VLInputError({ field: 'image', detail: `image size ${width}x${height} is empty` });
  }
  if (Math.max(height, width) / Math.min(height, width) > 200) {
    throw new InvalidQwen3VLInputError({
      field: 'image',
      detail: `aspect ratio of ${width}x${height} exceeds 200; crop or pad the image first`,
    });
  }
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return [h, w];
}
