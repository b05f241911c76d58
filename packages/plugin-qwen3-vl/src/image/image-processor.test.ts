import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, maxAbsDiff, readBin, readGolden } from '../testing/golden.js';
import { preprocessImages } from './image-processor.js';
import { loadImage } from './load-image.js';
import { resizeBicubicPillow } from './pillow-bicubic-resize.js';
import { parsePreprocessorConfig } from './preprocessor-config.js';
import { roundHalfEven, smartResize } from './smart-resize.js';

const golden = readGolden();
const config = parsePreprocessorConfig(JSON.parse(readFileSync(join(FIXTURE_DIR, 'preprocessor_config.json'), 'utf8')));

describe('smartResize', () => {
  it('rounds half to even like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, -0.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 0, 2, 3]);
  });
  it('matches every golden smart_resize case', () => {
    for (const c of golden.preprocess.smart_resize_cases) {
      expect(smartResize(c.height, c.width, { factor: c.factor, minPixels: c.min_pixels, maxPixels: c.max_pixels })).toEqual(c.expected_hw);
    }
  });
});

describe('resizeBicubicPillow', () => {
  // Derived by hand from the recipe: 3 -> 5 pixels, scale 0.6, Keys a=-0.5 weights normalised, 22-bit fixed point.
  // Output 2 has center 1.5: the weight of source pixel 1 is 1 and its neighbours get filter(+-1) = 0, giving 255.
  const row = [0, 255, 40];
  const expected = [0, 99, 255, 127, 24];
  it('matches hand-computed values horizontally and vertically', () => {
    const h = resizeBicubicPillow({ data: Uint8Array.from(row), width: 3, height: 1, channels: 1 }, 5, 1);
    expect(Array.from(h.data)).toEqual(expected);
    const v = resizeBicubicPillow({ data: Uint8Array.from(row), width: 1, height: 3, channels: 1 }, 1, 5);
    expect(Array.from(v.data)).toEqual(expected);
    const same = resizeBicubicPillow({ data: Uint8Array.from(row), width: 3, height: 1, channels: 1 }, 3, 1);
    expect(Array.from(same.data)).toEqual(row);
  });
});

describe('preprocessImages', () => {
  it('reproduces pixel_values and image_grid_thw of image.png', async () => {
    const image = await loadImage(join(FIXTURE_DIR, 'image.png'));
    expect([image.width, image.height]).toEqual(golden.preprocess.image_size_wh);
    const out = preprocessImages([image], config);
    const ref = readBin(golden.preprocess.pixel_values);
    expect(out.imageGridThw).toEqual(golden.preprocess.image_grid_thw);
    expect(out.numImageTokens).toEqual([golden.preprocess.num_image_tokens]);
    expect(out.pixelValues.shape).toEqual(ref.shape);
    expect(maxAbsDiff(out.pixelValues.data, ref.data)).toBeLessThanOrEqual(1e-6);
  });

  it('handles a 33x50 image and a large image above max_pixels', async () => {
    const small = { data: new Uint8Array(33 * 50 * 3).map((_, i) => (i * 37) % 256), width: 33, height: 50, channels: 3 };
    const big = { data: new Uint8Array(300 * 200 * 3).fill(128), width: 300, height: 200, channels: 3 };
    const limited = { ...config, maxPixels: 128 * 128 };
    const out = preprocessImages([small, big], limited);
    // 50x33: round(50/32)=2, round(33/32)=1 -> 64x32 = 2048 < 8192 -> beta = sqrt(8192/1650); ceil -> 128x96? computed by hand below
    const beta = Math.sqrt(8192 / (50 * 33));
    const h1 = Math.ceil((50 * beta) / 32) * 32;
    const w1 = Math.ceil((33 * beta) / 32) * 32;
    expect([h1, w1]).toEqual([128, 96]);
    // 200x300 -> 192x288 = 55296 > 16384 -> beta = sqrt(60000/16384) -> floor(200/1.9137/32)*32 = 96, floor(300/1.9137/32)*32 = 128
    expect(out.imageGridThw).toEqual([
      [1, 8, 6],
      [1, 6, 8],
    ]);
    expect(out.numImageTokens).toEqual([12, 12]);
    expect(out.pixelValues.shape).toEqual([96, 1536]);
    // a constant image stays constant: (128/255 - 0.5) / 0.5
    const value = Math.fround((128 / 255 - 0.5) / 0.5);
    expect(out.pixelValues.data.subarray(48 * 1536).every((v) => v === value)).toBe(true);
  });

  it('drops alpha and applies EXIF orientation', async () => {
    // 2x1 RGBA: red opaque, green transparent; alpha is dropped, not composited
    const rgba = await sharp(Buffer.from([255, 0, 0, 255, 0, 255, 0, 0]), { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    const a = await loadImage(new Uint8Array(rgba));
    expect(Array.from(a.data)).toEqual([255, 0, 0, 0, 255, 0]);
    // orientation 6 (rotate 90 clockwise): a 2x1 image becomes 1x2 with the left pixel on top
    const jpeg = await sharp(Buffer.from([255, 255, 255, 0, 0, 0]), { raw: { width: 2, height: 1, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const b = await loadImage(new Uint8Array(jpeg));
    expect([b.width, b.height]).toEqual([1, 2]);
    expect(b.data[0]).toBeGreaterThan(b.data[3]);
  });
});
