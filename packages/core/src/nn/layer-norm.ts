import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { Module } from './module.js';
import type { WeightSource } from './weight-source.js';

/** Layer normalisation over the last axis, with learned scale and bias. */
export class LayerNorm extends Module {
  constructor(
    private readonly backend: Backend,
    /** Scale `[dim]`. */
    readonly weight: Tensor,
    /** Bias `[dim]`. */
    readonly bias: Tensor,
    /** Added to the variance before the square root. */
    readonly eps: number,
  ) {
    super();
    this.own(weight);
    this.own(bias);
  }

  /** Loads `${prefix}.weight` and `${prefix}.bias`, each `[dim]`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, options: { dim: number; eps: number }): Promise<LayerNorm> {
    return new LayerNorm(
      backend,
      await source.take(`${prefix}.weight`, { shape: [options.dim] }),
      await source.take(`${prefix}.bias`, { shape: [options.dim] }),
      options.eps,
    );
  }

  /** `x`: `[..., dim]` → same shape. */
  forward(x: Tensor): Tensor {
    return this.backend.layerNorm(x, this.weight, this.bias, this.eps);
  }
}
