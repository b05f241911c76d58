import type { Backend, Tensor, WeightStorage } from '@pio/core';
import { GatedMlp, KVCache, type LogitsSelection, Module, outputPositions, RMSNorm, type RotaryInputs, type WeightSource } from '@pio/core/nn';
import type { Qwen3VLTextConfig } from '../qwen3-vl-config.js';
import { TextAttention } from './text-attention.js';

/** A pre-norm Qwen3 decoder layer. */
export class TextDecoderLayer extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly inputNorm: RMSNorm,
    private readonly attention: TextAttention,
    private readonly postAttentionNorm: RMSNorm,
    private readonly mlp: GatedMlp,
  ) {
    super();
    for (const m of [inputNorm, attention, postAttentionNorm, mlp]) this.child(m);
  }

  /** Loads layer `${prefix}` (`input_layernorm`, `self_attn`, `post_attention_layernorm`, `mlp`). */
  static async load(backend: Backend, source: WeightSource, prefix: string, config: Qwen3VLTextConfig, storage?: WeightStorage): Promise<TextDecoderLayer> {
    const norm = (name: string) => RMSNorm.load(backend, source, `${prefix}.${name}`, { dim: config.hiddenSize, eps: config.rmsNormEps });
    return new TextDecoderLayer(
      backend,
      await norm('input_layernorm'),
      await TextAttention.load(backend, source, `${prefix}.self_attn`, config, storage),
      await norm('post_attention_layernorm'),
      await GatedMlp.load(backend, source, `${prefix}.mlp`, { hiddenSize: config.hiddenSize, intermediateSize: config.intermediateSize, storage }),
    );
  }

  /**
   * `x`: `[batch, seq, hidden]` → the same shape. `outputs` says which positions' outputs the caller uses (the last
   * layer's; see `LogitsSelection`): for `last` the MLP runs on the last position only and the result is
   * `[batch, 1, hidden]`; for `none` (a prompt chunk before the last, which only fills the cache) it does not run.
   */
  forward(x: Tensor, rotary: RotaryInputs, mask: Tensor, cache: KVCache | undefined, layer: number, outputs: LogitsSelection = 'all'): Tensor {
    const b = this.backend;
    const h = b.add(x, this.attention.forward(this.inputNorm.forward(x), rotary, mask, cache, layer));
    if (outputs === 'none') return h;
    const kept = outputPositions(b, h, outputs);
    return b.add(kept, this.mlp.forward(this.postAttentionNorm.forward(kept)));
  }
}
