import type { Tensor } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import { broadcastIndexMap, broadcastShapes, fmt, sizeOf } from './shape-utils.js';

/** {@link Backend.matmul}: `[..., m, k] x [..., k, n]`, batch dims broadcast, optional transposes of the last two axes. */
export function matmulOp(rt: ReferenceRuntime, a: Tensor, b: Tensor, options: { transposeA?: boolean; transposeB?: boolean } = {}): Tensor {
  const ta = rt.read('matmul', a, 'a');
  const tb = rt.read('matmul', b, 'b');
  const [ra, rb] = [ta.shape.length, tb.shape.length];
  if (ra < 2 || rb < 2) throw new BackendError('matmul', `both inputs need rank >= 2, got ${fmt(ta.shape)} and ${fmt(tb.shape)}`);
  const transA = options.transposeA === true;
  const transB = options.transposeB === true;
  const [a0, a1] = [ta.shape[ra - 2], ta.shape[ra - 1]];
  const [b0, b1] = [tb.shape[rb - 2], tb.shape[rb - 1]];
  const [m, k] = transA ? [a1, a0] : [a0, a1];
  const [kb, n] = transB ? [b1, b0] : [b0, b1];
  if (k !== kb) {
    throw new BackendError('matmul', `inner dimensions differ: ${fmt(ta.shape)}${transA ? '^T' : ''} x ${fmt(tb.shape)}${transB ? '^T' : ''} (${k} vs ${kb})`);
  }
  const batchA = ta.shape.slice(0, -2);
  const batchB = tb.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul', batchA, batchB);
  const batches = sizeOf(batchShape);
  const mapA = broadcastIndexMap(batchA, batchShape);
  const mapB = broadcastIndexMap(batchB, batchShape);
  const va = ta.valuesFor('matmul');
  const vb = tb.valuesFor('matmul');
  // Element (i, p) of op(a) sits at i * aRow + p * aCol inside its matrix; likewise (p, j) of op(b).
  const [aRow, aCol] = transA ? [1, m] : [k, 1];
  const [bRow, bCol] = transB ? [1, k] : [n, 1];
  const out = new Float64Array(batches * m * n);
  for (let bt = 0; bt < batches; bt++) {
    const aBase = (mapA ? mapA[bt] : bt) * m * k;
    const bBase = (mapB ? mapB[bt] : bt) * k * n;
    const oBase = bt * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        let pa = aBase + i * aRow;
        let pb = bBase + j * bCol;
        for (let p = 0; p < k; p++) {
          acc += va[pa] * vb[pb];
          pa += aCol;
          pb += bRow;
        }
        out[oBase + i * n + j] = acc;
      }
    }
  }
  return rt.create(out, [...batchShape, m, n], 'float32');
}

/** {@link Backend.linear}: `x [..., in] @ weight[out, in]^T + bias[out]`. */
export function linearOp(rt: ReferenceRuntime, x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const tx = rt.read('linear', x, 'x');
  const tw = rt.read('linear', weight, 'weight');
  const tbias = bias === undefined ? undefined : rt.read('linear', bias, 'bias');
  if (tx.shape.length < 1 || tw.shape.length !== 2 || tx.shape[tx.shape.length - 1] !== tw.shape[1]) {
    throw new BackendError('linear', `x ${fmt(tx.shape)} needs last dimension equal to in of weight [out, in] ${fmt(tw.shape)}`);
  }
  const [outF, inF] = tw.shape;
  if (tbias && (tbias.shape.length !== 1 || tbias.shape[0] !== outF)) {
    throw new BackendError('linear', `bias ${fmt(tbias.shape)} must be [${outF}] for weight ${fmt(tw.shape)}`);
  }
  const vx = tx.valuesFor('linear');
  const vw = tw.valuesFor('linear');
  const vbias = tbias?.valuesFor('linear');
  const rowCount = sizeOf(tx.shape.slice(0, -1));
  const out = new Float64Array(rowCount * outF);
  for (let r = 0; r < rowCount; r++) {
    const xBase = r * inF;
    for (let o = 0; o < outF; o++) {
      const wBase = o * inF;
      let acc = 0;
      for (let p = 0; p < inF; p++) acc += vx[xBase + p] * vw[wBase + p];
      out[r * outF + o] = vbias ? acc + vbias[o] : acc;
    }
  }
  return rt.create(out, [...tx.shape.slice(0, -1), outF], 'float32');
}
