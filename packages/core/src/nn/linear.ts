import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { Module } from './module.js';
import type { WeightSource } from './weight-source.js';

/** Options for {@link Linear.load}. */
export interface LinearLoadOptions {
  /** Input features. */
  inFeatures: number;
  /** Output features. */
  outFeatures: number;
  /** Whether a `.bias` tensor is expected (`true`), forbidden (`false`) or taken when present (`'optional'`). */
  bias: boolean | 'optional';
  /** Weight storage type to request. */
  storage?: WeightStorage;
  /** Input columns per scale of `int8` / `int4` storage (default the backend's). */
  groupSize?: number;
}

/** `y = x W^T + b`, with `W` in Hugging Face `[out, in]` layout. */
export class Linear extends Module {
  constructor(
    private readonly backend: Backend,
    /** Weight, logical `[out, in]`. */
    readonly weight: Tensor,
    /** Optional bias `[out]`. */
    readonly bias?: Tensor,
  ) {
    super();
    this.own(weight);
    this.own(bias);
  }

  /** Loads `${prefix}.weight` (and `${prefix}.bias`) from `source`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, options: LinearLoadOptions): Promise<Linear> {
    const weight = await source.take(`${prefix}.weight`, {
      role: 'linear',
      storage: options.storage,
      ...(options.groupSize === undefined ? {} : { groupSize: options.groupSize }),
      shape: [options.outFeatures, options.inFeatures],
    });
    const biasName = `${prefix}.bias`;
    const bias =
      options.bias === true || (options.bias === 'optional' && source.has(biasName))
        ? await source.take(biasName, { shape: [options.outFeatures] })
        : undefined;
    return new Linear(backend, weight, bias);
  }

  /** `x`: `[..., in]` → `[..., out]`. */
  forward(x: Tensor): Tensor {
    return this.backend.linear(x, this.weight, this.bias);
  }
}
