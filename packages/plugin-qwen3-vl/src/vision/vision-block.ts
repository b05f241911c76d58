import type { Backend, Tensor, WeightStorage } from '@pio/core';
import { LayerNorm, Linear, Module, type WeightSource } from '@pio/core/nn';
import type { Qwen3VLVisionConfig } from '../qwen3-vl-config.js';

/** What a vision block needs besides its input: rotary tables and the token range of each image. */
export interface VisionContext {
  /** `[1, tokens, headDim / 2]` each. */
  cos: Tensor;
  sin: Tensor;
  /** Tokens per image (attention stays within an image). */
  imageLengths: readonly number[];
}

/** A pre-norm ViT block: LayerNorm, full self-attention with 2D RoPE per image, LayerNorm, GELU MLP. */
export class VisionBlock extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly config: Qwen3VLVisionConfig,
    private readonly norm1: LayerNorm,
    private readonly qkv: Linear,
    private readonly proj: Linear,
    private readonly norm2: LayerNorm,
    private readonly fc1: Linear,
    private readonly fc2: Linear,
  ) {
    super();
    for (const m of [norm1, qkv, proj, norm2, fc1, fc2]) this.child(m);
  }

  /** Loads `${prefix}.{norm1,norm2,attn.qkv,attn.proj,mlp.linear_fc1,mlp.linear_fc2}`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, config: Qwen3VLVisionConfig, storage?: WeightStorage): Promise<VisionBlock> {
    const { hiddenSize: h, intermediateSize: i } = config;
    const linear = (name: string, inFeatures: number, outFeatures: number) =>
      Linear.load(backend, source, `${prefix}.${name}`, { inFeatures, outFeatures, bias: true, storage });
    const norm = (name: string) => LayerNorm.load(backend, source, `${prefix}.${name}`, { dim: h, eps: 1e-6 });
    return new VisionBlock(
      backend,
      config,
      await norm('norm1'),
      await linear('attn.qkv', h, 3 * h),
      await linear('attn.proj', h, h),
      await norm('norm2'),
      await linear('mlp.linear_fc1', h, i),
      await linear('mlp.linear_fc2', i, h),
    );
  }

  /** `x`: `[tokens, hidden]` → same shape. */
  forward(x: Tensor, context: VisionContext): Tensor {
    const b = this.backend;
    const h = b.add(x, this.attention(this.norm1.forward(x), context));
    const act = this.config.hiddenAct === 'gelu' ? 'erf' : 'tanh';
    return b.add(h, this.fc2.forward(b.gelu(this.fc1.forward(this.norm2.forward(h)), act)));
  }

  private attention(x: Tensor, context: VisionContext): Tensor {
    const b = this.backend;
    const tokens = x.shape[0];
    const { numHeads: heads, hiddenSize } = this.config;
    const headDim = hiddenSize / heads;
    const qkv = b.reshape(this.qkv.forward(x), [1, tokens, 3, heads, headDim]);
    const part = (i: number) => b.reshape(b.slice(qkv, [0, 0, i, 0, 0], [1, tokens, 1, heads, headDim]), [1, tokens, heads, headDim]);
    const perm = [0, 2, 1, 3];
    const q = b.transpose(b.rope(part(0), context.cos, context.sin, 'half'), perm); // [1, heads, tokens, headDim]
    const k = b.transpose(b.rope(part(1), context.cos, context.sin, 'half'), perm);
    const v = b.transpose(part(2), perm);
    const outs: Tensor[] = [];
    let start = 0;
    for (const n of context.imageLengths) {
      const piece = (t: Tensor) => (context.imageLengths.length === 1 ? t : b.slice(t, [0, 0, start, 0], [1, heads, n, headDim]));
      outs.push(b.attention(piece(q), piece(k), piece(v), { scale: headDim ** -0.5 }));
      start += n;
    }
    const out = outs.length === 1 ? outs[0] : b.concat(outs, 2); // [1, heads, tokens, headDim]
    return this.proj.forward(b.reshape(b.transpose(out, perm), [tokens, hiddenSize]));
  }
}
