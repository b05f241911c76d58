import type { Backend, Tensor, WeightStorage } from '@pio/core';
import {
  applyRotary,
  KVCache,
  Linear,
  type LogitsSelection,
  Module,
  outputPositions,
  outputQueries,
  RMSNorm,
  type RotaryInputs,
  type WeightSource,
} from '@pio/core/nn';
import type { Qwen3VLTextConfig } from '../qwen3-vl-config.js';

/** Qwen3 self-attention: grouped KV heads, per-head RMSNorm on q and k before (multimodal) RoPE. */
export class TextAttention extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly config: Qwen3VLTextConfig,
    private readonly qProj: Linear,
    private readonly kProj: Linear,
    private readonly vProj: Linear,
    private readonly oProj: Linear,
    private readonly qNorm: RMSNorm,
    private readonly kNorm: RMSNorm,
  ) {
    super();
    for (const m of [qProj, kProj, vProj, oProj, qNorm, kNorm]) this.child(m);
  }

  /** Loads `${prefix}.{q,k,v,o}_proj` and `${prefix}.{q,k}_norm`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, config: Qwen3VLTextConfig, storage?: WeightStorage): Promise<TextAttention> {
    const { hiddenSize: h, numHeads, numKvHeads, headDim, attentionBias: bias } = config;
    const linear = (name: string, inFeatures: number, outFeatures: number) =>
      Linear.load(backend, source, `${prefix}.${name}`, { inFeatures, outFeatures, bias, storage });
    const norm = (name: string) => RMSNorm.load(backend, source, `${prefix}.${name}`, { dim: headDim, eps: config.rmsNormEps });
    return new TextAttention(
      backend,
      config,
      await linear('q_proj', h, numHeads * headDim),
      await linear('k_proj', h, numKvHeads * headDim),
      await linear('v_proj', h, numKvHeads * headDim),
      await linear('o_proj', numHeads * headDim, h),
      await norm('q_norm'),
      await norm('k_norm'),
    );
  }

  /**
   * `x`: `[batch, seq, hidden]` → `[batch, seq, hidden]`; appends this layer's keys and values to `cache`. `queries`
   * says whose outputs the caller uses (the last layer's; see `LogitsSelection`): for `last` the queries are projected
   * and attend for the last position only (`[batch, 1, hidden]`); for `none` (a prompt chunk before the last) only the
   * cache is filled and nothing is returned.
   */
  forward(x: Tensor, rotary: RotaryInputs, mask: Tensor, cache: KVCache | undefined, layer: number, queries: LogitsSelection = 'all'): Tensor | undefined {
    const b = this.backend;
    const [batch, seq] = x.shape;
    const { numHeads, numKvHeads, headDim } = this.config;
    const heads = (t: Tensor, n: number) => b.reshape(t, [batch, t.shape[1], n, headDim]); // [batch, seq, n, headDim]
    const k = applyRotary(b, this.kNorm.forward(heads(this.kProj.forward(x), numKvHeads)), rotary, 'half');
    const v = heads(this.vProj.forward(x), numKvHeads);
    const perm = [0, 2, 1, 3];
    let keys = b.transpose(k, perm); // [batch, kvHeads, seq, headDim]
    let values = b.transpose(v, perm);
    if (cache) ({ keys, values } = cache.updateKeysValues(layer, { keys, values }));
    if (queries === 'none') return undefined;
    const at = outputQueries(b, { rotary, mask }, queries);
    const xq = outputPositions(b, x, queries); // [batch, queries, hidden]
    const q = applyRotary(b, this.qNorm.forward(heads(this.qProj.forward(xq), numHeads)), at.rotary, 'half');
    const out = b.attention(b.transpose(q, perm), keys, values, { scale: headDim ** -0.5, mask: at.mask }); // [batch, heads, queries, headDim]
    return this.oProj.forward(b.reshape(b.transpose(out, perm), [batch, xq.shape[1] ?? seq, numHeads * headDim]));
  }
}
