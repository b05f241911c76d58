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
   * layer's; see `LogitsSelection`): for `last` attention's queries and the MLP run on the last position only and the
   * result is `[batch, 1, hidden]`; for `none` (a prompt chunk before the last) only the keys and values are computed
   * into the cache, and `x` is returned unchanged.
   */
  forward(x: Tensor, rotary: RotaryInputs, mask: Tensor, cache: KVCache | undefined, layer: number, outputs: LogitsSelection = 'all'): Tensor {
    const b = this.backend;
    const attended = this.attention.forward(this.inputNorm.forward(x), rotary, mask, cache, layer, outputs);
    if (outputs === 'none' || attended === undefined) return x; // the cache holds this chunk; nothing reads the output
    const h = b.add(outputPositions(b, x, outputs), attended);
    return b.add(h, this.mlp.forward(this.postAttentionNorm.forward(h)));
  }
}
