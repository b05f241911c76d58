import { BackendError, type AttentionOptions, type Tensor } from '@pio/core';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import type { Emitter } from '../graph/emitter.js';
import { GGML_PREC, GGML_TYPE, type NativePointer } from '../runtime/ggml-api.js';
import { repeatTo } from './ggml-helpers.js';
import { asNode, broadcastShapes, fmt } from './op-support.js';

/**
 * Score-matrix bytes (float32 `[batch, heads, query, key]`) from which `auto` uses `flash_attn_ext`: 16 MiB (when the
 * scores also outweigh the values: see `attentionOp`).
 */
const FLASH_SCORE_BYTES = 16 * 2 ** 20;
/** Rows the flash-attention mask is padded to (llama.cpp's `GGML_KQ_MASK_PAD`; later ggml needs less, never more). */
const KQ_MASK_PAD = 64;

/**
 * Query rows from which flash attention packs strided keys first: the copy reads each key once, the kernel then reads
 * it once per query row (and head sharing it).
 */
const PACK_KEYS_QUERIES = 32;

/** Largest finite float16. */
const F16_MAX = 65504;

/** True for the float types `mul_mat` takes as its first operand with float32 activations. */
function plainFloat(type: number): boolean {
  return type === GGML_TYPE.F32 || type === GGML_TYPE.F16;
}

/** True when each row (ggml dimension 0) of `t` is contiguous, whatever the strides of the other dimensions. */
function rowsContiguous(e: Emitter, t: NativePointer): boolean {
  return e.api.ggml_is_contiguous_rows(t);
}

/** `t` (ggml type `type`) as F32 or F16 with contiguous rows: as it is when it already is, else a copy. */
function floatRows(e: Emitter, t: NativePointer, type: number): NativePointer {
  const f = plainFloat(type) ? t : e.f32(t, type);
  return rowsContiguous(e, f) ? f : e.api.ggml_cont(e.ctx, f);
}

/**
 * Scaled dot-product attention. Short score matrices: `mul_mat` → `soft_max_ext` (scale and additive mask fused) →
 * `mul_mat`, where ggml's `mul_mat` broadcasts KV heads over query heads as `h / (heads / kvHeads)`, the spec's GQA
 * rule. Large ones (see `GgmlBackendOptions.flashAttention`): ggml's fused `flash_attn_ext`, which walks the keys
 * with an online softmax and never holds the `[query, key]` scores (same GQA rule; float32 keys and values are read
 * and accumulated in float32; the mask goes in as float16, as in llama.cpp).
 */
export function attentionOp(rt: GraphRuntime, qT: Tensor, kT: Tensor, vT: Tensor, options: AttentionOptions): GraphNode {
  const q = asNode('attention', qT);
  const k = asNode('attention', kT);
  const v = asNode('attention', vT);
  const mask = options.mask === undefined ? undefined : asNode('attention', options.mask);
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4)
    throw new BackendError('attention', `q, k, v must be rank 4, got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
  const [batch, heads, queryLen, headDim] = q.shape;
  const [kb, kvHeads, keyLen, kd] = k.shape;
  const [vb, vh, vl, valueDim] = v.shape;
  if (kb !== batch || vb !== batch || kd !== headDim || vh !== kvHeads || vl !== keyLen || heads % kvHeads !== 0) {
    throw new BackendError('attention', `incompatible q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)} (heads must be a multiple of kvHeads)`);
  }
  const scoreShape = [batch, heads, queryLen, keyLen];
  if (mask) broadcastShapes('attention', mask.shape, scoreShape);
  const shape = [batch, heads, queryLen, valueDim];
  const mode = rt.flashAttention;
  // auto: only where the scores outweigh a copy of the values (flash_attn_ext reads value rows, a KV cache stores them
  // transposed), i.e. prompts, never decode steps
  const large = batch * heads * queryLen * keyLen * 4 >= FLASH_SCORE_BYTES && queryLen * heads > valueDim * kvHeads;
  const flash = mode === 'on' || (mode === 'auto' && large);
  /**
   * The mask broadcast to `[b', h', queryLen, keyLen]` (b' and h' stay 1 where it broadcasts), as float32: built once
   * per graph for every layer that attends with the same mask (a model's layers share one).
   */
  const fullMask = (e: Emitter, pm: NativePointer): NativePointer =>
    e.memo('attention-mask', [mask, queryLen, keyLen], () => {
      const ms = [...new Array(4 - (mask as GraphNode).shape.length).fill(1), ...(mask as GraphNode).shape];
      const target = [ms[0], ms[1], queryLen, keyLen];
      return e.cont(repeatTo(e, e.reshape(e.f32(pm, (mask as GraphNode).ggmlType), toNe(ms)), ms, target));
    });
  return rt.node('attention', {
    shape,
    dtype: 'float32',
    inputs: mask ? [q, k, v, mask] : [q, k, v],
    recipe: {
      key: `${options.scale}${flash ? ':flash' : ''}`,
      emit: flash
        ? (e, [pq, pk, pv, pm]) => {
            const { api, ctx } = e;
            // the float16 mask, once per graph (shared by every layer's attention, like the float32 one)
            const m =
              mask && pm !== undefined
                ? e.memo('flash-attention-mask', [mask, queryLen, keyLen], () => {
                    const pad = (KQ_MASK_PAD - (queryLen % KQ_MASK_PAD)) % KQ_MASK_PAD;
                    // clamped to float16's range first: a large negative stays finite, so a row masked everywhere still
                    // gets the softmax of its (equal) masked scores, as in float32, instead of nothing
                    const clamped = api.ggml_clamp(ctx, fullMask(e, pm), -F16_MAX, F16_MAX);
                    const padded = pad > 0 ? api.ggml_pad(ctx, clamped, 0, pad, 0, 0) : clamped;
                    return api.ggml_cast(ctx, padded, GGML_TYPE.F16); // [keyLen, padded queryLen, h', b']
                  })
                : null;
            const query = floatRows(e, e.f32(pq, q.ggmlType), GGML_TYPE.F32); // [headDim, queryLen, heads, batch]
            // a prompt chunk walks every key once per query row: keys that are a strided view (a KV cache stores each
            // position's heads together) are packed first, so each head's keys are read as one run
            const rows = floatRows(e, pk, k.ggmlType);
            const keys = queryLen >= PACK_KEYS_QUERIES && !api.ggml_is_contiguous(rows) ? api.ggml_cont(ctx, rows) : rows;
            const out = api.ggml_flash_attn_ext(ctx, query, keys, floatRows(e, pv, v.ggmlType), m, options.scale, 0, 0);
            api.ggml_flash_attn_ext_set_prec(out, GGML_PREC.F32); // [valueDim, heads, queryLen, batch]
            return api.ggml_cont(ctx, api.ggml_permute(ctx, out, 0, 2, 1, 3)); // [valueDim, queryLen, heads, batch]
          }
        : (e, [pq, pk, pv, pm]) => {
            const { api, ctx } = e;
            // F32/F16 keys are read in place through their strides (a KV cache view); mul_mat needs only whole rows.
            const keys = plainFloat(k.ggmlType) && rowsContiguous(e, pk) ? pk : e.cont(e.f32(pk, k.ggmlType));
            const scores = api.ggml_mul_mat(ctx, keys, e.cont(e.f32(pq, q.ggmlType))); // [keyLen, queryLen, heads, batch]
            const m = mask && pm !== undefined ? fullMask(e, pm) : null;
            const probs = api.ggml_soft_max_ext(ctx, scores, m, options.scale, 0);
            const values = plainFloat(v.ggmlType) ? pv : e.f32(pv, v.ggmlType);
            // values stored with the sequence innermost (a KV cache's values) are already rows of keyLen: no copy.
            // Others (MLA's latent read as values, a prompt's projected values) are turned into float32 rows in one
            // pass: ggml converts float16 element by element inline, where a float16 copy of the same view makes a
            // memcpy call per element, and the product then takes the probabilities in float32 instead of rounding
            // them to float16.
            const turned = api.ggml_permute(ctx, values, 1, 0, 2, 3); // [keyLen, valueDim, kvHeads, batch]
            const vt = plainFloat(v.ggmlType) && rowsContiguous(e, turned) ? turned : api.ggml_cast(ctx, turned, GGML_TYPE.F32);
            return api.ggml_mul_mat(ctx, vt, probs); // [valueDim, queryLen, heads, batch]
          },
    },
  });
}
