import type { RopeLayout } from '../../backend/backend.js';
import type { Tensor } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import { fmt } from './shape-utils.js';

/**
 * {@link Backend.rope}: `x [batch, seq, heads, headDim]`, `cos`/`sin` `[batch or 1, seq, rotaryDim / 2]`.
 * `half` rotates pairs `(i, i + rotaryDim/2)`, `interleaved` pairs `(2i, 2i + 1)`; features past `rotaryDim` pass through.
 */
export function ropeOp(rt: ReferenceRuntime, x: Tensor, cos: Tensor, sin: Tensor, layout: RopeLayout): Tensor {
  const tx = rt.read('rope', x, 'x');
  const tc = rt.read('rope', cos, 'cos');
  const ts = rt.read('rope', sin, 'sin');
  if (layout !== 'half' && layout !== 'interleaved') throw new BackendError('rope', `layout must be 'half' or 'interleaved', got ${String(layout)}`);
  if (tx.shape.length !== 4) throw new BackendError('rope', `x must be [batch, seq, heads, headDim], got ${fmt(tx.shape)}`);
  const [batch, seq, heads, headDim] = tx.shape;
  const sameTables = tc.shape.length === 3 && ts.shape.length === 3 && tc.shape.every((d, i) => d === ts.shape[i]);
  const pairs = tc.shape[2];
  if (!sameTables || (tc.shape[0] !== batch && tc.shape[0] !== 1) || tc.shape[1] !== seq || 2 * pairs > headDim) {
    throw new BackendError(
      'rope',
      `cos ${fmt(tc.shape)} and sin ${fmt(ts.shape)} must both be [${batch} or 1, ${seq}, rotaryDim/2 <= ${headDim / 2}] for x ${fmt(tx.shape)}`,
    );
  }
  const vx = tx.valuesFor('rope');
  const vc = tc.valuesFor('rope');
  const vs = ts.valuesFor('rope');
  const out = Float64Array.from(vx);
  for (let b = 0; b < batch; b++) {
    const tableBatch = tc.shape[0] === 1 ? 0 : b;
    for (let s = 0; s < seq; s++) {
      const tableBase = (tableBatch * seq + s) * pairs;
      for (let h = 0; h < heads; h++) {
        const base = ((b * seq + s) * heads + h) * headDim;
        for (let i = 0; i < pairs; i++) {
          const [ia, ib] = layout === 'half' ? [base + i, base + i + pairs] : [base + 2 * i, base + 2 * i + 1];
          const c = vc[tableBase + i];
          const sn = vs[tableBase + i];
          out[ia] = vx[ia] * c - vx[ib] * sn;
          out[ib] = vx[ib] * c + vx[ia] * sn;
        }
      }
    }
  }
  return rt.create(out, tx.shape, 'float32');
}

/**
 * {@link Backend.ropePositions}: the tables `cos/sin(fround(positions[b, s] * inverseFrequencies[i]))` (each rounded
 * to float32, as `ropeTables` makes them), then {@link ropeOp}. `positions` int32 `[batch or 1, seq]`,
 * `inverseFrequencies` `[rotaryDim / 2]`.
 */
export function ropePositionsOp(rt: ReferenceRuntime, x: Tensor, positions: Tensor, inverseFrequencies: Tensor, layout: RopeLayout): Tensor {
  const tp = rt.read('ropePositions', positions, 'positions');
  const tf = rt.read('ropePositions', inverseFrequencies, 'inverseFrequencies');
  const tx = rt.read('ropePositions', x, 'x');
  const bad = tp.dtype !== 'int32' || tp.shape.length !== 2 || tf.shape.length !== 1 || tx.shape.length !== 4;
  if (bad || (tp.shape[0] !== 1 && tp.shape[0] !== tx.shape[0]) || tp.shape[1] !== tx.shape[1] || 2 * tf.shape[0] > tx.shape[3]) {
    throw new BackendError(
      'ropePositions',
      `positions must be int32 [batch or 1, seq] and inverseFrequencies [pairs <= headDim / 2] for x [batch, seq, heads, headDim]; got ${tp.dtype} ${fmt(tp.shape)}, ${fmt(tf.shape)}, ${fmt(tx.shape)}`,
    );
  }
  const [rows, seq] = tp.shape;
  const pairs = tf.shape[0];
  const vp = tp.valuesFor('ropePositions');
  const vf = tf.valuesFor('ropePositions');
  const cos = new Float64Array(rows * seq * pairs);
  const sin = new Float64Array(rows * seq * pairs);
  for (let r = 0; r < rows * seq; r++) {
    for (let i = 0; i < pairs; i++) {
      const angle = Math.fround(vp[r] * Math.fround(vf[i]));
      cos[r * pairs + i] = Math.fround(Math.cos(angle));
      sin[r * pairs + i] = Math.fround(Math.sin(angle));
    }
  }
  const c = rt.create(cos, [rows, seq, pairs], 'float32');
  const s = rt.create(sin, [rows, seq, pairs], 'float32');
  try {
    return ropeOp(rt, x, c, s, layout);
  } finally {
    c.dispose();
    s.dispose();
  }
}
