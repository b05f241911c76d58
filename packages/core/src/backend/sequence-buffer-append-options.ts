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
}
