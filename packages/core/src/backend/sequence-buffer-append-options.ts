import type { Tensor } from './tensor.js';

/** Options of {@link SequenceBuffer.append}. */
export interface SequenceBufferAppendOptions {
  /**
   * Positions the returned tensor covers along the buffer's axis: `[0, viewLength)`. Default: the filled length.
   * Must be at least the filled length after this append and at most the capacity; positions not yet written read
   * as zero. A view longer than the filled part gives consecutive appends one shape (e.g. a KV cache padded to a
   * multiple of 256 positions, its unused tail masked out by the attention mask), so graph backends can reuse one
   * compiled graph between them.
   */
  readonly viewLength?: number;
  /**
   * For an append of one position: an int32 `[1]` tensor holding the buffer's length before the append (where the
   * position lands). A graph backend writes at the index the tensor holds when the graph runs, so a replay of the
   * step (`RecordedStep.replay`) writes the next position by a new input value alone, one tensor shared by every
   * buffer the step appends to (a `KVCache` passes its own). Default: the backend makes its own from the length.
   */
  readonly slot?: Tensor;
}
