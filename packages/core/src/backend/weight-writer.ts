import type { Weight } from './weight.js';

/**
 * A weight uploaded in parts, from {@link Backend.beginWeight}: the caller hands over the checkpoint bytes a few
 * whole rows at a time (a row is the last axis; a 0-d or 1-d tensor is one row), in order, and the backend converts
 * and stores each part at once. Host memory then holds one part, not the whole tensor nor its float32 expansion.
 */
export interface WeightWriter {
  /** Bytes of one row in the checkpoint encoding; every {@link WeightWriter.write} is a multiple of it. */
  readonly rowBytes: number;
  /** Rows of the tensor. */
  readonly rows: number;
  /**
   * Converts and stores the next whole rows (`bytes.byteLength` a multiple of {@link WeightWriter.rowBytes}). The
   * bytes are not retained: the caller may reuse the buffer as soon as this returns. A backend that converts off the
   * calling thread (ggml quantizing) returns a promise that settles once the part is stored; await it before
   * {@link WeightWriter.finish}.
   */
  write(bytes: Uint8Array): void | Promise<void>;
  /** Returns the weight once every row was written; throws `BackendError` when rows are missing. */
  finish(): Weight;
  /** Frees the partly written weight (after a failed read). Safe to call after `finish` (does nothing then). */
  abort(): void;
}
