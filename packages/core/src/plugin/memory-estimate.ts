import type { WeightStorage } from '../backend/weight-storage.js';

/** What a model needs in memory for one weight storage type. */
export interface MemoryEstimate {
  /** The storage type the estimate is for. */
  readonly storage: WeightStorage;
  /** Number of parameters. */
  readonly parameters: number;
  /** Bytes of weights. */
  readonly weightBytes: number;
  /** Bytes of activations and KV cache for the stated context (`contextLength` tokens, batch 1). */
  readonly runtimeBytes: number;
  /** Context length the runtime estimate assumes. */
  readonly contextLength: number;
  /** `weightBytes + runtimeBytes`. */
  readonly totalBytes: number;
  /**
   * Mixture-of-experts models: the routed experts `weightBytes` counts as resident (the expert budget, see
   * `LoadModelOptions.expertBudget`); the others are read from the checkpoint on demand.
   */
  readonly experts?: {
    /** Routed experts resident per MoE layer. */
    readonly residentPerLayer: number;
    /** Routed experts per MoE layer. */
    readonly perLayer: number;
    /** MoE layers. */
    readonly layers: number;
    /** Bytes of one routed expert in this storage. */
    readonly bytesPerExpert: number;
    /**
     * The fewest routed experts per MoE layer the model runs with (the experts one token uses), for the manager's
     * choice of a budget when the model does not fit with all of them resident. Default 1.
     */
    readonly minResidentPerLayer?: number;
  };
}
