import type { Backend, RopeLayout } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { ropeTables, ropeTensors } from './rotary.js';

/**
 * The rotary inputs of one forward pass, shared by every layer: integer positions for a backend with
 * {@link Backend.ropePositions} (a fused kernel), or cos/sin tables for {@link Backend.rope} otherwise. Made by
 * {@link rotaryInputs}, applied by {@link applyRotary}.
 */
export type RotaryInputs =
  | {
      /** int32 `[batch or 1, seq]`. */
      readonly positions: Tensor;
      /** float32 `[pairs]`. */
      readonly inverseFrequencies: Tensor;
    }
  | {
      /** float32 `[batch or 1, seq, pairs]`. */
      readonly cos: Tensor;
      /** float32 `[batch or 1, seq, pairs]`. */
      readonly sin: Tensor;
    };

/**
 * Rotary inputs for `batch` rows of `seq` positions: `positionsFor(b, s, pair)` gives the position pair `pair` of row
 * `b` rotates by at step `s` (plain RoPE ignores `pair`; multimodal RoPE picks an axis per pair). When the backend has
 * {@link Backend.ropePositions} and every pair of a position shares one integer position (plain RoPE, or multimodal
 * RoPE over text where the axes agree), the positions go in as int32 `[batch, seq]` (`[1, seq]` when all rows agree);
 * otherwise the cos/sin tables of {@link ropeTables}.
 *
 * `positionIds`, when given, are those int32 positions as a tensor made already (`DecoderForwardInput.positionIds`,
 * which a decode session refills when it replays a step): on a backend with {@link Backend.ropePositions} they are
 * used as they are (through a new handle: disposing the inputs leaves the caller's tensor alone), so they must hold
 * what `positionsFor` gives.
 */
export function rotaryInputs(
  backend: Backend,
  batch: number,
  seq: number,
  invFreq: Float32Array,
  positionsFor: (b: number, s: number, pair: number) => number,
  positionIds?: Tensor,
): RotaryInputs {
  if (backend.ropePositions) {
    const plain = positionIds ? undefined : plainPositions(batch, seq, invFreq.length, positionsFor);
    const positions = positionIds ? backend.reshape(positionIds, positionIds.shape) : plain && backend.tensor(plain.values, [plain.rows, seq], 'int32');
    if (positions) return { positions, inverseFrequencies: backend.tensor(invFreq, [invFreq.length]) };
  }
  return ropeTensors(backend, ropeTables(batch, seq, invFreq, positionsFor), batch, seq);
}

/** Applies rotary inputs made by {@link rotaryInputs} to `x` `[batch, seq, heads, headDim]`. */
export function applyRotary(backend: Backend, x: Tensor, inputs: RotaryInputs, layout: RopeLayout): Tensor {
  if ('positions' in inputs) {
    if (!backend.ropePositions) throw new TypeError('applyRotary: positions were made for a backend with ropePositions');
    return backend.ropePositions(x, inputs.positions, inputs.inverseFrequencies, layout);
  }
  return backend.rope(x, inputs.cos, inputs.sin, layout);
}

/**
 * The positions as int32 `[rows, seq]` when every pair of a position agrees and each is an int32: `rows` is 1 when
 * every row holds the same positions (one row serves them all), else `batch`; undefined when they do not agree.
 */
export function plainPositions(
  batch: number,
  seq: number,
  pairs: number,
  positionsFor: (b: number, s: number, pair: number) => number,
): { values: Int32Array; rows: number } | undefined {
  const values = new Int32Array(batch * seq);
  let shared = true;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const p = positionsFor(b, s, 0);
      if (!Number.isInteger(p) || p < -(2 ** 31) || p >= 2 ** 31) return undefined;
      for (let i = 1; i < pairs; i++) if (positionsFor(b, s, i) !== p) return undefined;
      values[b * seq + s] = p;
      if (b > 0 && p !== values[s]) shared = false;
    }
  }
  return shared ? { values: values.subarray(0, seq), rows: 1 } : { values, rows: batch };
}
