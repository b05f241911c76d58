import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { Module } from './module.js';
import type { WeightSource } from './weight-source.js';

/** Root-mean-square normalisation over the last axis, with a learned scale. */
export class RMSNorm extends Module {
  constructor(
    private readonly backend: Backend,
    /** Scale `[dim]`. */
    readonly weight: Tensor,
    /** Added to the mean square before the square root. */
    readonly eps: number,
  ) {
    super();
    this.own(weight);
  }

  /** Loads `${prefix}.weight` of shape `[dim]`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, options: { dim: number; eps: number }): Promise<RMSNorm> {
    return new RMSNorm(backend, await source.take(`${prefix}.weight`, { shape: [options.dim] }), options.eps);
  }

  /** `x`: `[..., dim]` → same shape. */
  forward(x: Tensor): Tensor {
    return this.backend.rmsNorm(x, this.weight, this.eps);
  }
}
