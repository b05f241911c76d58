import { decodeHostTensor, type Backend, type Tensor } from '@pio/core';
import {
  applyRotary,
  type KVCache,
  type Linear,
  type LogitsSelection,
  Module,
  outputPositions,
  outputQueries,
  RMSNorm,
  type RotaryInputs,
  type WeightSource,
} from '@pio/core/nn';
import type { CheckpointWeightSource } from '@pio/core/weights';
import type { GlmFlashConfig } from '../glm-flash-config.js';
import { loadLinear, type MatrixStorage } from '../load-linear.js';

/** Eps of `q_a_layernorm` and `kv_a_layernorm` (the reference builds them with its RMSNorm default). */
const LORA_NORM_EPS = 1e-6;

/** Name of the cache entry holding `[latent | ropeKey]` per token, `[batch, seq, kvLoraRank + qkRopeHeadDim]`. */
export const MLA_CACHE_ENTRY = 'latent';

/** Per-call inputs of {@link MultiHeadLatentAttention.forward}. */
export interface MlaContext {
  /** The rotary inputs of this forward pass ({@link rotaryInputs}: integer positions or cos/sin tables, `qkRopeHeadDim / 2` pairs). */
  rotary: RotaryInputs;
  /** Additive mask `[batch, 1, seq, keyLen]`. */
  mask: Tensor;
  /** The cache to append to and read from (holds the compressed latent, not per-head K/V). */
  cache?: KVCache;
  /** This layer's index in the cache. */
  layer: number;
  /**
   * Attend in the absorbed form (queries projected into the latent space) instead of expanding K/V per head: the head
   * index table of its per-head products, int32 `[batch * seq, heads]` with head `h` in slot `h` of every token
   * ({@link MultiHeadLatentAttention.headIds}, made once per forward pass for every layer). Expanded when absent.
   */
  absorbedHeadIds?: Tensor;
}

/**
 * Multi-head latent attention (DeepSeek-V2/V3 MLA, as in GLM-4.7-Flash).
 *
 * Keys and values are stored as one compressed latent per token (`kvLoraRank`, after `kv_a_layernorm`) plus one
 * rotary key shared by all heads (`qkRopeHeadDim`). Two equivalent ways to attend:
 * - expanded: `kv_b_proj` turns the latent into per-head `k_nope` and `v`, then ordinary attention;
 * - absorbed: `q_nope` is multiplied into the latent space through `kv_b_proj`'s key part, attention runs with one
 *   shared KV "head" of width `kvLoraRank + qkRopeHeadDim`, and its output leaves through the value part.
 */
export class MultiHeadLatentAttention extends Module {
  private constructor(
    private readonly backend: Backend,
    private readonly config: GlmFlashConfig,
    private readonly q: { proj: Linear } | { a: Linear; norm: RMSNorm; b: Linear },
    private readonly kvA: Linear,
    private readonly kvANorm: RMSNorm,
    /** `kv_b_proj` (expanded form): latent → per-head `[k_nope | v]`. */
    private readonly kvB: Linear,
    /**
     * `kv_b_proj`'s key part, transposed once at load: `[heads, kvLoraRank, qkNopeHeadDim]`, an `experts` stack in the
     * model's storage, one matrix per head (absorbed form; read by `expertMatmul` with head `h` in slot `h`).
     */
    private readonly wUkT: Tensor,
    /** `kv_b_proj`'s value part `[heads, vHeadDim, kvLoraRank]`, an `experts` stack in the model's storage (absorbed form). */
    private readonly wUv: Tensor,
    private readonly oProj: Linear,
  ) {
    super();
    if ('proj' in q) this.child(q.proj);
    else for (const m of [q.a, q.norm, q.b]) this.child(m);
    for (const m of [kvA, kvANorm, kvB, oProj]) this.child(m);
    this.own(wUkT);
    this.own(wUv);
  }

  /** Loads `${prefix}.{q_a_proj,q_a_layernorm,q_b_proj | q_proj, kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj}`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, config: GlmFlashConfig, matrix: MatrixStorage): Promise<MultiHeadLatentAttention> {
    const c = config;
    const heads = c.numAttentionHeads;
    const bias = c.attentionBias;
    const q =
      c.qLoraRank === null
        ? { proj: await loadLinear(backend, source, `${prefix}.q_proj`, { inFeatures: c.hiddenSize, outFeatures: heads * c.qkHeadDim }, matrix) }
        : {
            a: await loadLinear(backend, source, `${prefix}.q_a_proj`, { inFeatures: c.hiddenSize, outFeatures: c.qLoraRank, bias }, matrix),
            norm: await RMSNorm.load(backend, source, `${prefix}.q_a_layernorm`, { dim: c.qLoraRank, eps: LORA_NORM_EPS }),
            b: await loadLinear(backend, source, `${prefix}.q_b_proj`, { inFeatures: c.qLoraRank, outFeatures: heads * c.qkHeadDim }, matrix),
          };
    const kvA = await loadLinear(
      backend,
      source,
      `${prefix}.kv_a_proj_with_mqa`,
      { inFeatures: c.hiddenSize, outFeatures: c.kvLoraRank + c.qkRopeHeadDim, bias },
      matrix,
    );
    const kvANorm = await RMSNorm.load(backend, source, `${prefix}.kv_a_layernorm`, { dim: c.kvLoraRank, eps: LORA_NORM_EPS });
    const kvB = await loadLinear(
      backend,
      source,
      `${prefix}.kv_b_proj`,
      { inFeatures: c.kvLoraRank, outFeatures: heads * (c.qkNopeHeadDim + c.vHeadDim) },
      matrix,
    );
    const [wUkT, wUv] = await absorbedWeights(backend, source, `${prefix}.kv_b_proj.weight`, kvB, c, matrix);
    const oProj = await loadLinear(backend, source, `${prefix}.o_proj`, { inFeatures: heads * c.vHeadDim, outFeatures: c.hiddenSize, bias }, matrix);
    return new MultiHeadLatentAttention(backend, config, q, kvA, kvANorm, kvB, wUkT, wUv, oProj);
  }

  /**
   * The head index table of the absorbed form's per-head products ({@link MlaContext.absorbedHeadIds}): int32
   * `[tokens, heads]` with head `h` in slot `h` of every token. The caller disposes it.
   */
  static headIds(backend: Backend, tokens: number, heads: number): Tensor {
    return backend.tensor(
      Int32Array.from({ length: tokens * heads }, (_, i) => i % heads),
      [tokens, heads],
      'int32',
    ); // [tokens, heads]
  }

  /** Softmax scale `(qkNopeHeadDim + qkRopeHeadDim)^-0.5`. */
  get scale(): number {
    return this.config.qkHeadDim ** -0.5;
  }

  /**
   * `x`: `[batch, seq, hidden]` → `[batch, seq, hidden]`. Appends this call's latents to `ctx.cache` when given.
   * `queries` says whose outputs the caller uses (the last layer's; see `LogitsSelection`): for `last` the queries are
   * projected and attend for the last position only (`[batch, 1, hidden]`); for `none` (a prompt chunk before the
   * last) only the latents are cached and nothing is returned.
   */
  forward(x: Tensor, ctx: MlaContext, queries: LogitsSelection = 'all'): Tensor | undefined {
    const b = this.backend;
    const c = this.config;
    const [batch, seq] = x.shape;
    const heads = c.numAttentionHeads;
    const kvr = c.kvLoraRank;
    const rope = c.qkRopeHeadDim;

    const ckv = this.kvA.forward(x); // [batch, seq, kvr + rope]
    const latent = this.kvANorm.forward(b.slice(ckv, [0, 0, 0], [batch, seq, kvr]));
    const kRope = applyRotary(b, b.reshape(b.slice(ckv, [0, 0, kvr], [batch, seq, rope]), [batch, seq, 1, rope]), ctx.rotary, 'interleaved');
    const entry = b.concat([latent, b.reshape(kRope, [batch, seq, rope])], -1); // [batch, seq, kvr + rope]
    const all = ctx.cache ? ctx.cache.update(ctx.layer, { [MLA_CACHE_ENTRY]: entry }, 1)[MLA_CACHE_ENTRY] : entry;
    const keyLen = all.shape[1];
    const kv = b.reshape(all, [batch, 1, keyLen, kvr + rope]); // [batch, 1, keyLen, kvr + rope]
    const latentAll = b.slice(kv, [0, 0, 0, 0], [batch, 1, keyLen, kvr]); // [batch, 1, keyLen, kvr]
    if (queries === 'none') return undefined;

    const at = outputQueries(b, { rotary: ctx.rotary, mask: ctx.mask }, queries);
    const xq = outputPositions(b, x, queries); // [batch, qLen, hidden]
    const qLen = xq.shape[1] ?? seq;
    const qFlat = 'proj' in this.q ? this.q.proj.forward(xq) : this.q.b.forward(this.q.norm.forward(this.q.a.forward(xq)));
    const q = b.reshape(qFlat, [batch, qLen, heads, c.qkHeadDim]); // [batch, qLen, heads, qkHeadDim]
    const qNope = b.slice(q, [0, 0, 0, 0], [batch, qLen, heads, c.qkNopeHeadDim]);
    const qRope = applyRotary(b, b.slice(q, [0, 0, 0, c.qkNopeHeadDim], [batch, qLen, heads, rope]), at.rotary, 'interleaved');

    const qRopeT = b.transpose(qRope, [0, 2, 1, 3]); // [batch, heads, qLen, rope]
    let merged: Tensor; // [batch, qLen, heads * vHeadDim]
    // the pass's head table covers batch * seq tokens, every row alike: the first batch * qLen rows serve the queries
    const headIds = ctx.absorbedHeadIds && qLen !== seq ? b.slice(ctx.absorbedHeadIds, [0, 0], [batch * qLen, heads]) : ctx.absorbedHeadIds;
    if (headIds) {
      // The per-head products as expert-indexed products with head h in slot h of every token: one product over the
      // stacked heads, which a backend may run on its expert layouts (ggml's repacked mul_mat_id) instead of one small
      // product per head.
      const tokens = batch * qLen;
      const qNopeRows = b.reshape(qNope, [tokens, heads, c.qkNopeHeadDim]); // [tokens, heads, nope]
      const qLatent = b.reshape(b.expertMatmul(qNopeRows, this.wUkT, headIds), [batch, qLen, heads, kvr]); // [batch, qLen, heads, kvr]
      const qCat = b.concat([b.transpose(qLatent, [0, 2, 1, 3]), qRopeT], -1); // [batch, heads, qLen, kvr + rope]
      const oLatent = b.attention(qCat, kv, latentAll, { scale: this.scale, mask: at.mask }); // [batch, heads, qLen, kvr]
      const oRows = b.reshape(b.transpose(oLatent, [0, 2, 1, 3]), [tokens, heads, kvr]); // [tokens, heads, kvr]
      merged = b.reshape(b.expertMatmul(oRows, this.wUv, headIds), [batch, qLen, heads * c.vHeadDim]); // [batch, qLen, heads * vHeadDim]
    } else {
      const expanded = this.kvB.forward(b.reshape(latentAll, [batch, keyLen, kvr])); // [batch, keyLen, heads * (nope + v)]
      const perHead = b.transpose(b.reshape(expanded, [batch, keyLen, heads, c.qkNopeHeadDim + c.vHeadDim]), [0, 2, 1, 3]);
      const kNope = b.slice(perHead, [0, 0, 0, 0], [batch, heads, keyLen, c.qkNopeHeadDim]);
      const value = b.slice(perHead, [0, 0, 0, c.qkNopeHeadDim], [batch, heads, keyLen, c.vHeadDim]);
      const kRopeAll = b.slice(kv, [0, 0, 0, kvr], [batch, 1, keyLen, rope]);
      const kRopeHeads = b.concat(
        Array.from({ length: heads }, () => kRopeAll),
        1,
      ); // [batch, heads, keyLen, rope]
      const key = b.concat([kNope, kRopeHeads], -1);
      const query = b.concat([b.transpose(qNope, [0, 2, 1, 3]), qRopeT], -1); // [batch, heads, qLen, qkHeadDim]
      const out = b.attention(query, key, value, { scale: this.scale, mask: at.mask }); // [batch, heads, qLen, v]
      merged = b.reshape(b.transpose(out, [0, 2, 1, 3]), [batch, qLen, heads * c.vHeadDim]);
    }
    return this.oProj.forward(merged);
  }
}

/**
 * The absorbed-form weights from `kv_b_proj` `[heads * (nope + v), kvr]`, laid out once so that both products take
 * their weight as `[heads, out, in]` (no per-step transpose): `wUkT [heads, kvr, nope]` and `wUv [heads, v, kvr]`,
 * uploaded as `experts` stacks (one matrix per head) in `matrix` storage (the model's type, as llama.cpp stores
 * `attn_k_b` / `attn_v_b`). Values come from the checkpoint when the source can read host tensors (so a quantized
 * storage quantizes the original values once), else from the loaded `kv_b_proj` (its values as stored).
 */
async function absorbedWeights(
  backend: Backend,
  source: WeightSource,
  name: string,
  kvB: Linear,
  c: GlmFlashConfig,
  matrix: MatrixStorage,
): Promise<[Tensor, Tensor]> {
  const heads = c.numAttentionHeads;
  const kvr = c.kvLoraRank;
  const nope = c.qkNopeHeadDim;
  const v = c.vHeadDim;
  const rowsPerHead = nope + v;
  const readHost = (source as Partial<Pick<CheckpointWeightSource, 'readHost'>>).readHost;
  const all = readHost
    ? (decodeHostTensor(await readHost.call(source, name, { shape: [heads * rowsPerHead, kvr] })) as Float32Array)
    : ((await kvB.weight.data()) as Float32Array); // [heads * (nope + v), kvr]
  const ukT = new Float32Array(heads * kvr * nope);
  const uv = new Float32Array(heads * v * kvr);
  for (let h = 0; h < heads; h++) {
    const head = h * rowsPerHead * kvr;
    for (let i = 0; i < nope; i++) {
      const row = head + i * kvr;
      for (let k = 0; k < kvr; k++) ukT[(h * kvr + k) * nope + i] = all[row + k];
    }
    uv.set(all.subarray(head + nope * kvr, head + rowsPerHead * kvr), h * v * kvr);
  }
  const upload = (values: Float32Array, shape: number[], suffix: string) =>
    backend.weight(
      { dtype: 'F32', shape, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) },
      { role: 'experts', storage: matrix.storage, groupSize: matrix.groupSize, name: `${name} (${suffix})` },
    );
  return [upload(ukT, [heads, kvr, nope], 'absorbed key'), upload(uv, [heads, v, kvr], 'absorbed value')];
}
