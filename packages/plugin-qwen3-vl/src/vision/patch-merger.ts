import type { Backend, Tensor, WeightStorage } from '@pio/core';
import { LayerNorm, Linear, Module, type WeightSource } from '@pio/core/nn';
import type { Qwen3VLVisionConfig } from '../qwen3-vl-config.js';

/**
 * Merges each `m x m` block of patch features into one token for the language model: LayerNorm (over one patch, or
 * over the concatenated block for the DeepStack mergers), then `fc2(gelu(fc1(x)))` to the text hidden size.
 */
export class PatchMerger extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly blockDim: number,
    private readonly postShuffleNorm: boolean,
    private readonly norm: LayerNorm,
    private readonly fc1: Linear,
    private readonly fc2: Linear,
  ) {
    super();
    for (const m of [norm, fc1, fc2]) this.child(m);
  }

  /** Loads `${prefix}.{norm,linear_fc1,linear_fc2}`. */
  static async load(
    backend: Backend,
    source: WeightSource,
    prefix: string,
    config: Qwen3VLVisionConfig,
    postShuffleNorm: boolean,
    storage?: WeightStorage,
  ): Promise<PatchMerger> {
    const blockDim = config.hiddenSize * config.spatialMergeSize ** 2;
    return new PatchMerger(
      backend,
      blockDim,
      postShuffleNorm,
      await LayerNorm.load(backend, source, `${prefix}.norm`, { dim: postShuffleNorm ? blockDim : config.hiddenSize, eps: 1e-6 }),
      await Linear.load(backend, source, `${prefix}.linear_fc1`, { inFeatures: blockDim, outFeatures: blockDim, bias: true, storage }),
      await Linear.load(backend, source, `${prefix}.linear_fc2`, { inFeatures: blockDim, outFeatures: config.outHiddenSize, bias: true, storage }),
    );
  }

  /** `x`: `[tokens, visionHidden]` → `[tokens / m^2, textHidden]`. */
  forward(x: Tensor): Tensor {
    const b = this.backend;
    const blocks = this.postShuffleNorm ? this.norm.forward(b.reshape(x, [-1, this.blockDim])) : b.reshape(this.norm.forward(x), [-1, this.blockDim]);
    return this.fc2.forward(b.gelu(this.fc1.forward(blocks), 'erf'));
  }
}
