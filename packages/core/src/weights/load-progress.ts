/** Progress of loading weights into a backend, reported after each tensor. */
export interface LoadProgress {
  /** Module name of the tensor just loaded. */
  readonly name: string;
  /** Tensors loaded so far. */
  readonly loaded: number;
  /** Tensors the checkpoint holds that are expected to be loaded (all but the declared-unused ones). */
  readonly total: number;
  /** Checkpoint bytes read so far. */
  readonly bytes: number;
  /** Checkpoint bytes of all expected tensors. */
  readonly totalBytes: number;
}
