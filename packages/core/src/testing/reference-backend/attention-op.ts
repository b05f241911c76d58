import type { AttentionOptions } from '../../backend/backend.js';
import type { Tensor } from '../../backend/tensor.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';
import { broadcastIndexMap, broadcastShapes, fmt } from './shape-utils.js';

/**
 * {@link Backend.attention}: `softmax(scale * q k^T + mask) v` per head, query head `h` reading KV head
 * `floor(h / (heads / kvHeads))`. q `[batch, heads, queryLen, headDim]`, k `[batch, kvHeads, keyLen, headDim]`,
 * v `[batch, kvHeads, keyLen, valueDim]`, mask broadcastable to `[batch, heads, queryLen, keyLen]`.
 */
export function attentionOp(rt: ReferenceRuntime, q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
  const tq = rt.read('attention', q, 'q');
  const tk = rt.read('attention', k, 'k');
  const tv = rt.read('attention', v, 'v');
  const tm = options?.mask === undefined ? undefined : rt.read('attention', options.mask, 'mask');
  const shapes = `q ${fmt(tq.shape)}, k ${fmt(tk.shape)}, v ${fmt(tv.shape)}${tm ? `, mask ${fmt(tm.shape)}` : ''}`;
  if (typeof options?.scale !== 'number') throw new BackendError('attention', 'options.scale must be a number');
  if (tq.shape.length !== 4 || tk.shape.length !== 4 || tv.shape.length !== 4) throw new BackendError('attention', `inputs must be rank 4: ${shapes}`);
  const [batch, heads, queryLen, headDim] = tq.shape;
  const [kb, kvHeads, keyLen, kd] = tk.shape;
  const [vb, vh, vl, valueDim] = tv.shape;
  const consistent = kb === batch && vb === batch && kd === headDim && vh === kvHeads && vl === keyLen;
  if (!consistent || kvHeads === 0 || heads % kvHeads !== 0) {
    throw new BackendError('attention', `shapes do not match (batch, heads a multiple of kvHeads, headDim, keyLen): ${shapes}`);
  }
  const scoreShape = [batch, heads, queryLen, keyLen];
  let maskMap: Int32Array | null = null;
  if (tm) {
    const full = broadcastShapes('attention', tm.shape, scoreShape);
    if (full.length !== 4 || full.some((d, i) => d !== scoreShape[i])) {
      throw new BackendError('attention', `mask must broadcast to [batch, heads, queryLen, keyLen] = ${fmt(scoreShape)}: ${shapes}`);
    }
    maskMap = broadcastIndexMap(tm.shape, scoreShape);
  }
  const [vq, vk, vv] = [tq.valuesFor('attention'), tk.valuesFor('attention'), tv.valuesFor('attention')];
  const vm = tm?.valuesFor('attention');
  const group = heads / kvHeads;
  const out = new Float64Array(batch * heads * queryLen * valueDim);
  const scores = new Float64Array(keyLen);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kvBase = (b * kvHeads + Math.floor(h / group)) * keyLen;
      for (let i = 0; i < queryLen; i++) {
        const qBase = ((b * heads + h) * queryLen + i) * headDim;
        const scoreBase = ((b * heads + h) * queryLen + i) * keyLen;
        let max = -Infinity;
        for (let j = 0; j < keyLen; j++) {
          const kBase = (kvBase + j) * headDim;
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += vq[qBase + d] * vk[kBase + d];
          let score = dot * options.scale;
          if (vm) score += vm[maskMap ? maskMap[scoreBase + j] : scoreBase + j];
          scores[j] = score;
          if (score > max) max = score;
        }
        let sum = 0;
        for (let j = 0; j < keyLen; j++) {
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        const oBase = ((b * heads + h) * queryLen + i) * valueDim;
        for (let j = 0; j < keyLen; j++) {
          const p = scores[j] / sum;
          const vBase = (kvBase + j) * valueDim;
          for (let d = 0; d < valueDim; d++) out[oBase + d] += p * vv[vBase + d];
        }
      }
    }
  }
  return rt.create(out, [batch, heads, queryLen, valueDim], 'float32');
}
