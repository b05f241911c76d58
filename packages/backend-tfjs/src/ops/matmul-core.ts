import type { EngineTraits } from '../engine/active-engine.js';
import type { Tf, TfTensor } from '../runtime/tf-types.js';
import { sameShape, sizeOf } from './shape-utils.js';

/**
 * On wasm, only a plain 2-D product (no transpose flag, batch 1) reaches XNNPACK; everything else runs a generic loop
 * that is 5-15x slower per multiply-add. But XNNPACK first packs its right operand (cached for a tensor that lives on,
 * like a weight; paid on every call for a fresh one), which costs about as much as 8-16 rows of the generic loop. So
 * products with at least this many rows are rearranged into 2-D ones (an operand transposed, batches split); smaller
 * ones keep the generic loop. Measured crossover 8-32 rows (bench/ops.ts, README).
 */
export const WASM_SPLIT_MIN_ROWS = 16;

function transposeLast2(tf: Tf, x: TfTensor): TfTensor {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/**
 * `op(a) @ op(b)` over the last two axes with NumPy-broadcast batch dimensions, choosing the engine's fast path.
 * Inputs are float32 and already validated. Call inside a tidy.
 */
export function matmulCore(tf: Tf, traits: EngineTraits, a: TfTensor, b: TfTensor, transposeA = false, transposeB = false): TfTensor {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const split = traits.slowBatchedMatmul && m >= WASM_SPLIT_MIN_ROWS;
  if (transposeA && (split || (traits.slowBatchedMatmul && ra > 2))) {
    a = transposeLast2(tf, a);
    transposeA = false;
  }
  if (transposeB && split) {
    b = transposeLast2(tf, b);
    transposeB = false;
  }
  // b without batch dims: fold a's batch into its rows (one 2-D product, no broadcast copy of b)
  if (rb === 2 && !transposeA && ra > 2) {
    const batchA = a.shape.slice(0, -2);
    const y = matmulCore(tf, traits, tf.reshape(a, [sizeOf(batchA) * m, k]), b, false, transposeB);
    return tf.reshape(y, [...batchA, m, n]);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(ra, rb);
  const batch: number[] = [];
  for (let i = 0; i < rank - 2; i++) {
    const da = batchA[batchA.length - (rank - 2) + i] ?? 1;
    const db = batchB[batchB.length - (rank - 2) + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  // tfjs 4.22's batch matmul mishandles broadcast batches (wrong sizes on cpu, out-of-range reads on wasm): expand them
  if (!sameShape(batchA, batch)) a = tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  if (!sameShape(batchB, batch)) b = tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  const batches = sizeOf(batch);
  if (!traits.slowBatchedMatmul || batches === 1 || transposeA || transposeB || !split) {
    return tf.matMul(a, b, transposeA, transposeB);
  }
  const as = tf.unstack(tf.reshape(a, [batches, m, k]));
  const bs = tf.unstack(tf.reshape(b, [batches, k, n]));
  return tf.reshape(tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]))), [...batch, m, n]);
}
