import { ropeInverseFrequencies, ropeTables } from '@pio/core/nn';

/** Patch coordinates of every vision token, in the merge order the pixel rows use: `(t, h/m, w/m, m, m)`. */
export function visionPatchCoordinates(grids: readonly (readonly number[])[], mergeSize: number): { rows: Int32Array; cols: Int32Array } {
  const total = grids.reduce((n, [t, h, w]) => n + t * h * w, 0);
  const rows = new Int32Array(total);
  const cols = new Int32Array(total);
  let k = 0;
  for (const [t, h, w] of grids) {
    for (let f = 0; f < t; f++) {
      for (let bh = 0; bh < h / mergeSize; bh++) {
        for (let bw = 0; bw < w / mergeSize; bw++) {
          for (let ih = 0; ih < mergeSize; ih++) {
            for (let iw = 0; iw < mergeSize; iw++) {
              rows[k] = bh * mergeSize + ih;
              cols[k] = bw * mergeSize + iw;
              k++;
            }
          }
        }
      }
    }
  }
  return { rows, cols };
}

/** `torch.linspace(0, end, steps)` in float32. */
function linspace(end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) return out;
  const step = Math.fround(end / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? i * step : end - (steps - 1 - i) * step;
  return out;
}

/**
 * Bilinear interpolation of the learned `side x side` position table onto each image's patch grid
 * (transformers' `fast_pos_embed_interpolate`): four table rows and weights per vision token, in merge order.
 *
 * Returns `indices` int32 `[4 * tokens]` and `weights` float32 `[4 * tokens]`, corner-major
 * (top-left, top-right, bottom-left, bottom-right).
 */
export function positionEmbeddingTaps(
  grids: readonly (readonly number[])[],
  mergeSize: number,
  side: number,
): { indices: Int32Array; weights: Float32Array; tokens: number } {
  const { rows, cols } = visionPatchCoordinates(grids, mergeSize);
  const tokens = rows.length;
  const indices = new Int32Array(4 * tokens);
  const weights = new Float32Array(4 * tokens);
  let k = 0;
  for (const [t, h, w] of grids) {
    const hs = linspace(side - 1, h);
    const ws = linspace(side - 1, w);
    for (let n = 0; n < t * h * w; n++, k++) {
      const y = hs[rows[k]];
      const x = ws[cols[k]];
      const y0 = Math.trunc(y);
      const x0 = Math.trunc(x);
      const y1 = Math.min(y0 + 1, side - 1);
      const x1 = Math.min(x0 + 1, side - 1);
      const dy = Math.fround(y - y0);
      const dx = Math.fround(x - x0);
      const taps: Array<[number, number]> = [
        [y0 * side + x0, Math.fround(Math.fround(1 - dy) * Math.fround(1 - dx))],
        [y0 * side + x1, Math.fround(Math.fround(1 - dy) * dx)],
        [y1 * side + x0, Math.fround(dy * Math.fround(1 - dx))],
        [y1 * side + x1, Math.fround(dy * dx)],
      ];
      taps.forEach(([index, weight], corner) => {
        indices[corner * tokens + k] = index;
        weights[corner * tokens + k] = weight;
      });
    }
  }
  return { indices, weights, tokens };
}

/**
 * cos/sin tables `[1, tokens, headDim / 2]` of the vision tower's 2D rotary embedding: the first `headDim / 4` pairs
 * rotate by the patch row, the next `headDim / 4` by the patch column (theta 10000 over `headDim / 2` features).
 */
export function visionRotaryTables(grids: readonly (readonly number[])[], mergeSize: number, headDim: number): { cos: Float32Array; sin: Float32Array } {
  const { rows, cols } = visionPatchCoordinates(grids, mergeSize);
  const base = ropeInverseFrequencies(headDim / 2, 10000); // [headDim / 4]
  const quarter = base.length;
  const invFreq = new Float32Array(2 * quarter);
  invFreq.set(base, 0);
  invFreq.set(base, quarter);
  return ropeTables(1, rows.length, invFreq, (_b, s, pair) => (pair < quarter ? rows[s] : cols[s]));
}
