import type { SequenceBufferAppendOptions } from './sequence-buffer-append-options.js';
import type { Tensor } from './tensor.js';

/** Element storage of a {@link SequenceBuffer}. */
export type SequenceBufferStorage = 'float32' | 'float16';

/** What {@link Backend.createSequenceBuffer} allocates. */
export interface SequenceBufferOptions {
  /** Shape of the entries; the size along {@link SequenceBufferOptions.axis} is ignored (the buffer holds `capacity`). */
  readonly shape: readonly number[];
  /** The axis that grows, e.g. 2 for `[batch, heads, seq, headDim]`. */
  readonly axis: number;
  /** Positions the buffer can hold along `axis`. */
  readonly capacity: number;
  /** Stored element type; values are converted on append and read back as float32. Default `float32`. */
  readonly storage?: SequenceBufferStorage;
  /**
   * A hint of how attention will read the entries. `values` (`v` of {@link Backend.attention}): a backend may store
   * the growing axis innermost (like llama.cpp's V cache) so that attention reads them without transposing the whole
   * cache. `keys` (`k`): a backend may store each position's entries together, the growing axis right after the
   * leading (batch) axis (like llama.cpp's K cache), so that reading every cached key streams memory forward. The
   * tensors `append` returns are the same either way.
   */
  readonly role?: 'keys' | 'values';
}

/**
 * A float tensor with room for {@link SequenceBuffer.capacity} positions along one axis, filled in place by appends:
 * a KV cache in backend memory that is never copied as it grows.
 *
 * A new buffer's positions read as zero until they are written (a backend must clear the memory it allocates), so a
 * view past the filled part ({@link SequenceBufferAppendOptions.viewLength}) reads zeros there.
 */
export interface SequenceBuffer {
  /** Positions appended so far. */
  readonly length: number;
  /** Positions it can hold. */
  readonly capacity: number;
  /** Stored element type. */
  readonly storage: SequenceBufferStorage;
  /**
   * Writes `values` (the buffer's shape with any size along the axis) after the current positions and returns the
   * filled part, `[..., length, ...]` along the axis, or the first `options.viewLength` positions (the filled part
   * followed by positions not written yet, which read as zero). The returned tensor stays valid after later appends
   * and until the caller disposes it; later appends write after its filled part, so those positions keep their
   * values (a padded tail may read as zero or as values appended later). It follows scope rules like any op result.
   *
   * @throws {@link BackendError} when the values do not fit (shape or capacity), `options.viewLength` is not an
   * integer between the filled length after this append and the capacity, or the buffer was disposed
   */
  append(values: Tensor, options?: SequenceBufferAppendOptions): Tensor;
  /**
   * Counts `positions` more as filled without writing them: a replayed step (`RecordedStep.replay`) wrote them, at
   * the positions its `slot` input gave. The next `append` writes after them.
   *
   * @throws {@link BackendError} when the buffer would exceed its capacity or was disposed
   */
  advance(positions: number): void;
  /**
   * Counts the last `positions` filled positions as not written: the next `append` writes over them (a decode step
   * whose results were rejected, `KVCache.retract`). Their old values stay until then, so a view longer than the
   * filled part may read them (a caller masks positions past the filled length out anyway).
   *
   * @throws {@link BackendError} when fewer than `positions` are filled, `positions` is not an integer >= 0, or the
   * buffer was disposed
   */
  rewind(positions: number): void;
  /** Drops the buffer's own hold on its memory (tensors returned by `append` keep it alive until disposed). */
  dispose(): void;
}
