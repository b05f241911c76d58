import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';

/** Token ids that mark images in a Qwen3-VL prompt. */
export interface VisionTokenIds {
  imageTokenId: number;
  visionStartTokenId: number;
}

/** Multimodal positions of a prompt batch, as transformers' `get_rope_index` computes them. */
export interface MropePositions {
  /** `[3][batch][seq]`: temporal, height and width positions; pads hold 1. */
  positionIds: number[][][];
  /** `[batch]`: a decode step at cache length `L` uses position `L + ropeDeltas[b]` on all three rows. */
  ropeDeltas: number[];
}

/**
 * Computes the MRoPE position ids of a left-padded batch (transformers' `Qwen3VLModel.get_rope_index`, images only).
 *
 * Text tokens count up on all three rows; an image of grid `[t, h, w]` (in patches) starting after text at position
 * `s` takes `s + (t_i, h_i, w_i)` over its `t * (h/m) * (w/m)` merged tokens; text after an image restarts at the
 * largest position so far + 1. Images are assigned to image-token runs in reading order (row by row).
 */
export function computeMropePositions(
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[],
  imageGridThw: readonly (readonly number[])[],
  mergeSize: number,
  tokens: VisionTokenIds,
): MropePositions {
  const batch = inputIds.length;
  const seq = inputIds[0]?.length ?? 0;
  const positionIds = [0, 1, 2].map(() => Array.from({ length: batch }, () => new Array<number>(seq).fill(1)));
  const ropeDeltas: number[] = [];
  let imageIndex = 0;
  for (let b = 0; b < batch; b++) {
    const valid: number[] = [];
    for (let s = 0; s < seq; s++) if (attentionMask[b][s] === 1) valid.push(s);
    const ids = valid.map((s) => inputIds[b][s]);
    const rows: [number[], number[], number[]] = [[], [], []];
    let next = 0;
    let i = 0;
    while (i < ids.length) {
      const startsImage = ids[i] === tokens.imageTokenId && i > 0 && ids[i - 1] === tokens.visionStartTokenId;
      if (!startsImage) {
        for (const r of rows) r.push(next);
        next += 1;
        i += 1;
        continue;
      }
      const grid = imageGridThw[imageIndex];
      if (!grid) {
        throw new InvalidQwen3VLInputError({ field: 'imageGridThw', detail: `the prompt holds more images than the ${imageGridThw.length} grids given` });
      }
      imageIndex += 1;
      const [t, h, w] = [grid[0], grid[1] / mergeSize, grid[2] / mergeSize];
      const count = t * h * w;
      for (let k = 0; k < count; k++) {
        if (ids[i + k] !== tokens.imageTokenId) {
          throw new InvalidQwen3VLInputError({
            field: 'inputIds',
            detail: `image ${imageIndex - 1} needs ${count} image tokens in a row (grid ${grid.join('x')})`,
          });
        }
      }
      let max = next;
      for (let ti = 0; ti < t; ti++) {
        for (let hi = 0; hi < h; hi++) {
          for (let wi = 0; wi < w; wi++) {
            rows[0].push(next + ti);
            rows[1].push(next + hi);
            rows[2].push(next + wi);
            max = Math.max(max, next + ti, next + hi, next + wi);
          }
        }
      }
      next = max + 1;
      i += count;
    }
    let rowMax = -Infinity;
    for (let r = 0; r < 3; r++) {
      valid.forEach((s, k) => {
        positionIds[r][b][s] = rows[r][k];
        rowMax = Math.max(rowMax, rows[r][k]);
      });
    }
    // transformers' text-only branch takes the max over pads (position 1) too; its image branch over real tokens only
    if (valid.length < seq && (imageGridThw.length === 0 || valid.length === 0)) rowMax = Math.max(rowMax, 1);
    ropeDeltas.push(rowMax + 1 - seq);
  }
  if (imageIndex !== imageGridThw.length) {
    throw new InvalidQwen3VLInputError({ field: 'imageGridThw', detail: `${imageGridThw.length} grids given but the prompt holds ${imageIndex} images` });
  }
  return { positionIds, ropeDeltas };
}

/**
 * Which MRoPE row (0 = temporal, 1 = height, 2 = width) drives each rotary pair.
 *
 * Interleaved (Qwen3-VL): pair `i` takes height when `i % 3 == 1` and `i < 3 * section[1]`, width when `i % 3 == 2`
 * and `i < 3 * section[2]`, temporal otherwise. Chunked (Qwen2-VL): the first `section[0]` pairs temporal, the next
 * `section[1]` height, the rest width.
 */
export function mropePairAxes(section: readonly [number, number, number], interleaved: boolean): Uint8Array {
  const pairs = section[0] + section[1] + section[2];
  const axes = new Uint8Array(pairs);
  for (let i = 0; i < pairs; i++) {
    if (interleaved) {
      if (i % 3 === 1 && i < 3 * section[1]) axes[i] = 1;
      else if (i % 3 === 2 && i < 3 * section[2]) axes[i] = 2;
    } else {
      axes[i] = i < section[0] ? 0 : i < section[0] + section[1] ? 1 : 2;
    }
  }
  return axes;
}
