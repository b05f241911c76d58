import { parseConfig } from '@pio/core';
import { z } from 'zod';

/** zod schema of a Qwen3-VL `preprocessor_config.json`. */
export const preprocessorConfigJsonSchema = z
  .object({
    size: z.object({ shortest_edge: z.number().int().positive(), longest_edge: z.number().int().positive() }).optional(),
    min_pixels: z.number().int().positive().optional(),
    max_pixels: z.number().int().positive().optional(),
    patch_size: z.number().int().positive().default(16),
    temporal_patch_size: z.number().int().positive().default(2),
    merge_size: z.number().int().positive().default(2),
    image_mean: z.array(z.number()).length(3).default([0.5, 0.5, 0.5]),
    image_std: z.array(z.number().positive()).length(3).default([0.5, 0.5, 0.5]),
    rescale_factor: z
      .number()
      .positive()
      .default(1 / 255),
  })
  .passthrough();

/** Image preprocessing settings (camelCase). */
export interface ImagePreprocessorConfig {
  /** Smallest resized pixel count. */
  minPixels: number;
  /** Largest resized pixel count. */
  maxPixels: number;
  patchSize: number;
  temporalPatchSize: number;
  mergeSize: number;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  rescaleFactor: number;
}

/** Qwen3-VL's released defaults (`Qwen/Qwen3-VL-2B-Instruct` preprocessor_config.json). */
export const DEFAULT_IMAGE_PREPROCESSOR_CONFIG: ImagePreprocessorConfig = {
  minPixels: 65536,
  maxPixels: 16777216,
  patchSize: 16,
  temporalPatchSize: 2,
  mergeSize: 2,
  imageMean: [0.5, 0.5, 0.5],
  imageStd: [0.5, 0.5, 0.5],
  rescaleFactor: 1 / 255,
};

/** Parses a `preprocessor_config.json` object (throws `InvalidConfigError`); `size.shortest_edge` / `longest_edge` are pixel counts, as in transformers. */
export function parsePreprocessorConfig(json: unknown, file = 'preprocessor_config.json'): ImagePreprocessorConfig {
  const c = parseConfig(preprocessorConfigJsonSchema, json, { source: file });
  return {
    minPixels: c.size?.shortest_edge ?? c.min_pixels ?? DEFAULT_IMAGE_PREPROCESSOR_CONFIG.minPixels,
    maxPixels: c.size?.longest_edge ?? c.max_pixels ?? DEFAULT_IMAGE_PREPROCESSOR_CONFIG.maxPixels,
    patchSize: c.patch_size,
    temporalPatchSize: c.temporal_patch_size,
    mergeSize: c.merge_size,
    imageMean: c.image_mean as [number, number, number],
    imageStd: c.image_std as [number, number, number],
    rescaleFactor: c.rescale_factor,
  };
}

/**
 * `config` with `maxPixels` lowered to `maxPixels` when that is smaller (and `minPixels` kept at or below it): the
 * vision budget a host sets over the model's own `max_pixels`. smart_resize then scales larger images down, so the
 * patch count, and with it vision attention's memory, stays bounded.
 */
export function limitImagePixels(config: ImagePreprocessorConfig, maxPixels: number): ImagePreprocessorConfig {
  const max = Math.min(config.maxPixels, maxPixels);
  return { ...config, maxPixels: max, minPixels: Math.min(config.minPixels, max) };
}
