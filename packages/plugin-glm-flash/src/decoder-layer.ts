import type { Backend, Tensor } from '@pio/core';
import { GatedMlp, type LogitsSelection, Module, outputPositions, RMSNorm, type WeightSource } from '@pio/core/nn';
import { MultiHeadLatentAttention, type MlaContext } from './attention/mla.js';
import type { GlmFlashConfig } from './glm-flash-config.js';
import type { MatrixStorage } from './load-linear.js';
import type { ExpertCache } from './moe/experts.js';
import { MoeBlock } from './moe/moe.js';

/** One GLM-4.7-Flash decoder layer: pre-norm MLA, then a dense MLP (first layers) or the MoE block, each with a residual. */
export class GlmFlashDecoderLayer extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly inputNorm: RMSNorm,
    private readonly attention: MultiHeadLatentAttention,
    private readonly postAttentionNorm: RMSNorm,
    private readonly mlp: GatedMlp | MoeBlock,
  ) {
    super();
    for (const m of [inputNorm, attention, postAttentionNorm, mlp]) this.child(m);
  }

  /** Loads `model.layers.${layer}.*`. */
  static async load(
    backend: Backend,
    source: WeightSource,
    layer: number,
    config: GlmFlashConfig,
    experts: ExpertCache,
    matrix: MatrixStorage,
    expertBudget?: number,
  ): Promise<GlmFlashDecoderLayer> {
    const prefix = `model.layers.${layer}`;
    const norm = { dim: config.hiddenSize, eps: config.rmsNormEps };
    const inputNorm = await RMSNorm.load(backend, source, `${prefix}.input_layernorm`, norm);
    const attention = await MultiHeadLatentAttention.load(backend, source, `${prefix}.self_attn`, config, matrix);
    const postAttentionNorm = await RMSNorm.load(backend, source, `${prefix}.post_attention_layernorm`, norm);
    const mlp =
      config.mlpLayerTypes[layer] === 'sparse'
        ? await MoeBlock.load(backend, source, `${prefix}.mlp`, layer, config, experts, matrix, expertBudget)
        : await GatedMlp.load(backend, source, `${prefix}.mlp`, { hiddenSize: config.hiddenSize, intermediateSize: config.intermediateSize, ...matrix });
    return new GlmFlashDecoderLayer(backend, inputNorm, attention, postAttentionNorm, mlp);
  }

  /**
   * `hidden`: `[batch, seq, hiddenSize]` → the same shape (a new tensor; the caller still owns and disposes `hidden`).
   * `outputs` says which positions' outputs the caller uses (the last layer's; see `LogitsSelection`): for `last` the
   * MLP runs on the last position only and the result is `[batch, 1, hiddenSize]`; for `none` (a prompt chunk before
   * the last, which only fills the cache) it does not run and the result is the attention's residual sum.
   */
  async forward(hidden: Tensor, ctx: MlaContext, outputs: LogitsSelection = 'all'): Promise<Tensor> {
    const b = this.backend;
    const attended = b.scope(() => b.add(hidden, this.attention.forward(this.inputNorm.forward(hidden), ctx))); // [batch, seq, hidden]
    if (outputs === 'none') return attended;
    const [kept, normed] = b.scope(() => {
      const k = outputPositions(b, attended, outputs);
      return [k, this.postAttentionNorm.forward(k)];
    });
    const mlpOut = this.mlp instanceof MoeBlock ? await this.mlp.forward(normed) : b.scope(() => (this.mlp as GatedMlp).forward(normed));
    const out = b.scope(() => b.add(kept, mlpOut));
    for (const t of new Set([attended, kept, normed, mlpOut])) t.dispose();
    return out;
  }
}
