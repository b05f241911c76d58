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

  /** True when the layer's routed experts are budget slots (its decode steps may guess them). */
  get slotted(): boolean {
    return this.mlp instanceof MoeBlock && this.mlp.slotted;
  }

  /**
   * `hidden`: `[batch, seq, hiddenSize]` → the same shape (a new tensor; the caller still owns and disposes `hidden`).
   * `outputs` says which positions' outputs the caller uses (the last layer's; see `LogitsSelection`): for `last`
   * attention's queries and the MLP run on the last position only and the result is `[batch, 1, hiddenSize]`; for
   * `none` (a prompt chunk before the last) only the latents are cached and the result is `undefined`. With `marks`,
   * a MoE layer under an expert budget guesses its experts' slots in the graph and pushes its mark (`MoeBlock.forward`).
   */
  async forward(hidden: Tensor, ctx: MlaContext, outputs: LogitsSelection = 'all', marks?: Tensor[]): Promise<Tensor | undefined> {
    const b = this.backend;
    const attended = b.scope(() => {
      const a = this.attention.forward(this.inputNorm.forward(hidden), ctx, outputs);
      return outputs === 'none' || a === undefined ? undefined : b.add(outputPositions(b, hidden, outputs), a); // [batch, seq or 1, hidden]
    });
    if (attended === undefined) return undefined; // `none`: the cache holds this chunk's latents; nothing reads on
    const normed = b.scope(() => this.postAttentionNorm.forward(attended));
    const mlpOut = this.mlp instanceof MoeBlock ? await this.mlp.forward(normed, marks) : b.scope(() => (this.mlp as GatedMlp).forward(normed));
    const out = b.scope(() => b.add(attended, mlpOut));
    for (const t of new Set([attended, normed, mlpOut])) t.dispose();
    return out;
  }
}
