import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { Module } from './module.js';
import type { WeightSource } from './weight-source.js';

/** A lookup table of token embeddings. */
export class Embedding extends Module {
  constructor(
    private readonly backend: Backend,
    /** Table `[numEmbeddings, dim]`. */
    readonly weight: Tensor,
  ) {
    super();
    this.own(weight);
  }

  /** Loads `${prefix}.weight` of shape `[numEmbeddings, dim]`. */
  static async load(
    backend: Backend,
    source: WeightSource,
    prefix: string,
    options: { numEmbeddings: number; dim: number; storage?: WeightStorage },
  ): Promise<Embedding> {
    const weight = await source.take(`${prefix}.weight`, {
      role: 'embedding',
      storage: options.storage,
      shape: [options.numEmbeddings, options.dim],
    });
    return new Embedding(backend, weight);
  }

  /** `ids`: int32 `[...]` → `[..., dim]`. */
  forward(ids: Tensor): Tensor {
    return this.backend.gather(this.weight, ids, 0);
  }
}
