import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { applySwiglu } from './swiglu.js';
import type { WeightSource } from './weight-source.js';

/** Options for {@link GatedMlp.load}. */
export interface GatedMlpLoadOptions {
  /** Model width (input and output features). */
  hiddenSize: number;
  /** Width of the gated projection. */
  intermediateSize: number;
  /** Storage of the three matrices. */
  storage?: WeightStorage;
  /** Input columns per scale of `int8` / `int4` storage. */
  groupSize?: number;
}

/**
 * The gated feed-forward block (SwiGLU) of Llama-family decoders, `down(silu(gate(x)) * up(x))`, with Hugging Face's
 * `gate_proj`, `up_proj` and `down_proj` (no biases): Qwen3's `Qwen3MLP`, GLM's dense MLP and experts.
 */
export class GatedMlp extends Module {
  constructor(
    private readonly backend: Backend,
    private readonly gate: Linear,
    private readonly up: Linear,
    private readonly down: Linear,
  ) {
    super();
    for (const m of [gate, up, down]) this.child(m);
  }

  /** Loads `${prefix}.gate_proj`, `${prefix}.up_proj` (`[intermediate, hidden]`) and `${prefix}.down_proj` (`[hidden, intermediate]`). */
  static async load(backend: Backend, source: WeightSource, prefix: string, options: GatedMlpLoadOptions): Promise<GatedMlp> {
    const { hiddenSize, intermediateSize, storage, groupSize } = options;
    const matrix = { bias: false, storage, ...(groupSize === undefined ? {} : { groupSize }) };
    return new GatedMlp(
      backend,
      await Linear.load(backend, source, `${prefix}.gate_proj`, { ...matrix, inFeatures: hiddenSize, outFeatures: intermediateSize }),
      await Linear.load(backend, source, `${prefix}.up_proj`, { ...matrix, inFeatures: hiddenSize, outFeatures: intermediateSize }),
      await Linear.load(backend, source, `${prefix}.down_proj`, { ...matrix, inFeatures: intermediateSize, outFeatures: hiddenSize }),
    );
  }

  /** `x`: `[..., hidden]` → `[..., hidden]`. */
  forward(x: Tensor): Tensor {
    const b = this.backend;
    return this.down.forward(applySwiglu(b, this.gate.forward(x), this.up.forward(x)));
  }
}
