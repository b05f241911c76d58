/** An 8-bit image with interleaved channels, row-major: `data[(y * width + x) * channels + c]`. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;

/** Keys' cubic convolution kernel with `a = -0.5` (Pillow's BICUBIC filter, support 2). */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** Per output index: first input index, tap count, and fixed-point weights (Pillow's `precompute_coeffs` + 8-bit normalisation). */
interface AxisCoefficients {
  start: Int32Array;
  count: Int32Array;
  taps: number;
  weights: Int32Array;
}

function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const real = new Float64Array(taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * inverse);
      real[x] = w;
      total += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? real[x] / total : real[x];
      weights[i * taps + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[i] = xmin;
    count[i] = xmax;
  }
  return { start, count, taps, weights };
}

function clip8(acc: number): number {
  if (acc <= 0) return 0;
  if (acc >= 2 ** 30) return 255;
  return Math.floor(acc / ONE);
}

/**
 * Resizes an 8-bit image exactly as Pillow's `Image.resize(size, Image.BICUBIC)` does (no reducing gap): fixed-point
 * weights with 22 fractional bits, a horizontal pass over the rows the vertical pass needs, rounding to uint8 in between,
 * then a vertical pass; an axis whose size does not change is not resampled.
 */
export function resizeBicubicPillow(image: RawImage, outWidth: number, outHeight: number): RawImage {
  const { width, height, channels } = image;
  let current = image;
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  const vertical = needVertical ? axisCoefficients(height, outHeight) : undefined;
  if (needHorizontal) {
    const firstRow = vertical ? vertical.start[0] : 0;
    const lastRow = vertical ? vertical.start[outHeight - 1] + vertical.count[outHeight - 1] : height;
    const rows = lastRow - firstRow;
    const h = axisCoefficients(width, outWidth);
    const out = new Uint8Array(rows * outWidth * channels);
    for (let y = 0; y < rows; y++) {
      const inRow = (y + firstRow) * width * channels;
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = h.start[xx];
        const n = h.count[xx];
        const kBase = xx * h.taps;
        for (let c = 0; c < channels; c++) {
          let acc = 2 ** (PRECISION_BITS - 1);
          for (let x = 0; x < n; x++) acc += current.data[inRow + (xmin + x) * channels + c] * h.weights[kBase + x];
          out[(y * outWidth + xx) * channels + c] = clip8(acc);
        }
      }
    }
    current = { data: out, width: outWidth, height: rows, channels };
    if (vertical) for (let i = 0; i < outHeight; i++) vertical.start[i] -= firstRow;
  }
  if (vertical) {
    const w = current.width;
    const out = new Uint8Array(outHeight * w * channels);
    for (let yy = 0; yy < outHeight; yy++) {
      const ymin = vertical.start[yy];
      const n = vertical.count[yy];
      const kBase = yy * vertical.taps;
      for (let x = 0; x < w * channels; x++) {
        let acc = 2 ** (PRECISION_BITS - 1);
        for (let y = 0; y < n; y++) acc += current.data[(ymin + y) * w * channels + x] * vertical.weights[kBase + y];
        out[yy * w * channels + x] = clip8(acc);
      }
    }
    current = { data: out, width: w, height: outHeight, channels };
  }
  return current === image ? { ...image, data: image.data.slice() } : current;
}
