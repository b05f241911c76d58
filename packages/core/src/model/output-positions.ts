import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { LogitsSelection } from './decoder-model.js';
import { lastPosition } from './last-position.js';

/**
 * The positions of `hidden` (`[batch, seq, hidden]`) whose outputs a pass with `logits` returns: all of them, or for
 * `last` the last one, `[batch, 1, hidden]` (`hidden` itself when `seq` is 1). A decoder applies it in its last layer,
 * between attention and the feed-forward: attention has written every position to the cache by then, and the rows
 * after it feed only the logits, so the last feed-forward and the head run on the rows that are returned (llama.cpp
 * selects its output rows at the same point).
 */
export function outputPositions(backend: Backend, hidden: Tensor, logits: Exclude<LogitsSelection, 'none'>): Tensor {
  return logits === 'last' && hidden.shape[1] > 1 ? lastPosition(backend, hidden, 1) : hidden;
}
