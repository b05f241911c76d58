/** What a {@link CheckpointWeightSource} loaded, and what did not match. */
export interface WeightLoadReport {
  /** Module names asked for (by `take`, `readHost`, `claim`) that the checkpoint lacks. */
  readonly missing: readonly string[];
  /** Checkpoint names never taken, read or claimed, and not declared unused. */
  readonly unexpected: readonly string[];
  /** Checkpoint names declared unused that the checkpoint holds (never read). */
  readonly unused: readonly string[];
  /** Weights uploaded to the backend. */
  readonly loaded: number;
  /** Checkpoint bytes read for those weights. */
  readonly bytes: number;
  /** Bytes the uploaded weights occupy on the backend (after storage conversion). */
  readonly backendBytes: number;
}
