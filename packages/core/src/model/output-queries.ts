import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { RotaryInputs } from '../nn/rotary-inputs.js';
import type { LogitsSelection } from './decoder-model.js';
import { lastPosition } from './last-position.js';

/** The per-position inputs of attention's queries: rotary inputs and the additive mask. */
export interface QueryInputs {
  /** Rotary inputs over the query positions ({@link RotaryInputs}). */
  readonly rotary: RotaryInputs;
  /** Additive mask `[batch, 1, queries, keyLength]`. */
  readonly mask: Tensor;
}

/**
 * The rotary inputs and mask of the query positions a pass with `logits` returns (see {@link outputPositions}): as
 * given for `all`, the last position's for `last` (rotary `[.., 1]`, mask `[batch, 1, 1, keyLength]`). A decoder's
 * last layer then projects and attends queries for the returned positions only, while its keys and values (the
 * cache) still cover every position. Inputs over one position are returned as they are.
 */
export function outputQueries(backend: Backend, inputs: QueryInputs, logits: Exclude<LogitsSelection, 'none'>): QueryInputs {
  const queryAxis = inputs.mask.shape.length - 2;
  if (logits === 'all' || inputs.mask.shape[queryAxis] <= 1) return inputs;
  const rotary: RotaryInputs =
    'positions' in inputs.rotary
      ? { positions: lastPosition(backend, inputs.rotary.positions, 1), inverseFrequencies: inputs.rotary.inverseFrequencies } // [batch or 1, 1]
      : { cos: lastPosition(backend, inputs.rotary.cos, 1), sin: lastPosition(backend, inputs.rotary.sin, 1) }; // [batch or 1, 1, pairs]
  return { rotary, mask: lastPosition(backend, inputs.mask, queryAxis) }; // [batch, 1, 1, keyLength]
}
