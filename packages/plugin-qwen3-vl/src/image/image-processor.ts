import { InvalidQwen3VLInputError } from '../errors/invalid-qwen3-vl-input-error.js';
import type { ImagePreprocessorConfig } from './preprocessor-config.js';
import { resizeBicubicPillow, type RawImage } from './pillow-bicubic-resize.js';
import { smartResize } from './smart-resize.js';

/** Images ready for the vision tower. */
export interface PreprocessedImages {
  /** Patch rows `[patches, channels * temporalPatchSize * patchSize^2]`, images one after another. */
  pixelValues: { data: Float32Array; shape: [number, number] };
  /** `[images][3]`: temporal, height and width patch counts. */
  imageGridThw: Array<[number, number, number]>;
  /** Image tokens each image takes in the prompt (`t * h * w / mergeSize^2`). */
  numImageTokens: number[];
}

/**
 * Turns one RGB image into patch rows (transformers' Qwen2-VL image processor, Pillow path): `smartResize`,
 * Pillow BICUBIC resize, `x * rescaleFactor`, `(x - mean) / std`, the frame repeated `temporalPatchSize` times,
 * rows ordered `(t, h/m, w/m, m, m)`, each row `(channel, t, patchY, patchX)`.
 */
export function preprocessImage(image: RawImage, config: ImagePreprocessorConfig): { data: Float32Array; gridThw: [number, number, number] } {
  if (image.channels !== 3) {
    throw new InvalidQwen3VLInputError({ field: 'image', detail: `expected 3 channels (RGB), got ${image.channels}` });
  }
  const { patchSize: p, mergeSize: m, temporalPatchSize: tp } = config;
  const [height, width] = smartResize(image.height, image.width, {
    factor: p * m,
    minPixels: config.minPixels,
    maxPixels: config.maxPixels,
  });
  const resized = resizeBicubicPillow(image, width, height);
  // normalised planes [channel][y][x], computed in float64 and rounded once
  const plane = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    const mean = config.imageMean[c];
    const std = config.imageStd[c];
    for (let i = 0; i < height * width; i++) {
      plane[c * height * width + i] = (resized.data[i * 3 + c] * config.rescaleFactor - mean) / std;
    }
  }
  const gh = height / p;
  const gw = width / p;
  const rowLength = 3 * tp * p * p;
  const data = new Float32Array(gh * gw * rowLength);
  let row = 0;
  for (let bh = 0; bh < gh / m; bh++) {
    for (let bw = 0; bw < gw / m; bw++) {
      for (let ih = 0; ih < m; ih++) {
        for (let iw = 0; iw < m; iw++) {
          const py = (bh * m + ih) * p;
          const px = (bw * m + iw) * p;
          let o = row * rowLength;
          for (let c = 0; c < 3; c++) {
            for (let t = 0; t < tp; t++) {
              for (let y = 0; y < p; y++) {
                const src = c * height * width + (py + y) * width + px;
                for (let x = 0; x < p; x++) data[o++] = plane[src + x];
              }
            }
          }
          row++;
        }
      }
    }
  }
  return { data, gridThw: [1, gh, gw] };
}

/** Preprocesses several images and stacks their patch rows (see {@link preprocessImage}). */
export function preprocessImages(images: readonly RawImage[], config: ImagePreprocessorConfig): PreprocessedImages {
  const parts = images.map((image) => preprocessImage(image, config));
  const rowLength = 3 * config.temporalPatchSize * config.patchSize ** 2;
  const total = parts.reduce((n, part) => n + part.data.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return {
    pixelValues: { data, shape: [total / rowLength, rowLength] },
    imageGridThw: parts.map((part) => part.gridThw),
    numImageTokens: parts.map((part) => (part.gridThw[0] * part.gridThw[1] * part.gridThw[2]) / config.mergeSize ** 2),
  };
}
