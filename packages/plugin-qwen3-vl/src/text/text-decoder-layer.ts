import type { Backend, Tensor, WeightStorage } from '@pio/core';
import { KVCache, Linear, Module, RMSNorm, type WeightSource } from '@pio/core/nn';
import type { Qwen3VLTextConfig } from '../qwen3-vl-config.js';
import { TextAttention, type RotaryTables } from './text-attention.js';

/** SwiGLU feed-forward: `down(silu(gate(x)) * up(x))`. */
export class TextMlp extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly gate: Linear,
    private readonly up: Linear,
    private readonly down: Linear,
  ) {
    super();
    for (const m of [gate, up, down]) this.child(m);
  }

  /** Loads `${prefix}.{gate,up,down}_proj`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, config: Qwen3VLTextConfig, storage?: WeightStorage): Promise<TextMlp> {
    const { hiddenSize: h, intermediateSize: i } = config;
    return new TextMlp(
      backend,
      await Linear.load(backend, source, `${prefix}.gate_proj`, { inFeatures: h, outFeatures: i, bias: false, storage }),
      await Linear.load(backend, source, `${prefix}.up_proj`, { inFeatures: h, outFeatures: i, bias: false, storage }),
      await Linear.load(backend, source, `${prefix}.down_proj`, { inFeatures: i, outFeatures: h, bias: false, storage }),
    );
  }

  /** `[..., hidden]` → `[..., hidden]`. */
  forward(x: Tensor): Tensor {
    return this.down.forward(this.backend.mul(this.backend.silu(this.gate.forward(x)), this.up.forward(x)));
  }
}

/** A pre-norm Qwen3 decoder layer. */
export class TextDecoderLayer extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly inputNorm: RMSNorm,
    private readonly attention: TextAttention,
    private readonly postAttentionNorm: RMSNorm,
    private readonly mlp: TextMlp,
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
      await TextMlp.load(backend, source, `${prefix}.mlp`, config, storage),
    );
  }

  /** `x`: `[batch, seq, hidden]` → same shape. */
  forward(x: Tensor, rotary: RotaryTables, mask: Tensor, cache: KVCache | undefined, layer: number): Tensor {
    const b = this.backend;
    const h = b.add(x, this.attention.forward(this.inputNorm.forward(x), rotary, mask, cache, layer));
    return b.add(h, this.mlp.forward(this.postAttentionNorm.forward(h)));
  }
}
