import type { ExpertRouting, ExpertRoutingOptions } from '../../backend/expert-routing.js';
import type { Tensor } from '../../backend/tensor.js';
import { checkExpertMatmul, checkRoutingOptions } from '../../backend/expert-rules.js';
import { routeExpertsOnHost } from '../../backend/route-experts-on-host.js';
import { BackendError } from '../../errors/backend-error.js';
import type { ReferenceRuntime } from './reference-runtime.js';

/** {@link Backend.routeExperts}: {@link routeExpertsOnHost} on the logits' values. */
export function routeExpertsOp(rt: ReferenceRuntime, logits: Tensor, options: ExpertRoutingOptions): ExpertRouting {
  const t = rt.read('routeExperts', logits, 'logits');
  const bias = options.bias ? rt.read('routeExperts', options.bias, 'bias') : undefined;
  checkRoutingOptions('routeExperts', t.shape, options, bias?.shape);
  const [tokens, e] = t.shape;
  const routed = routeExpertsOnHost(t.valuesFor('routeExperts'), tokens, e, bias?.valuesFor('routeExperts'), options);
  return {
    experts: rt.create(routed.experts, [tokens, options.topK], 'int32'),
    weights: rt.create(Float64Array.from(routed.weights), [tokens, options.topK], 'float32'),
  };
}

/** {@link Backend.expertMatmul}: `y[t, s] = weights[experts[t, s]] @ x[t, s or 0]`; an expert index out of range throws. */
export function expertMatmulOp(rt: ReferenceRuntime, x: Tensor, weights: Tensor, experts: Tensor): Tensor {
  const tx = rt.read('expertMatmul', x, 'x');
  const tw = rt.read('expertMatmul', weights, 'weights');
  const ti = rt.read('expertMatmul', experts, 'experts');
  const [tokens, slots, out, inF, numExperts] = checkExpertMatmul(tx.shape, tw.shape, ti.shape, ti.dtype);
  const xv = tx.valuesFor('expertMatmul');
  const wv = tw.valuesFor('expertMatmul');
  const ids = ti.valuesFor('expertMatmul');
  const shared = tx.shape[1] === 1;
  const y = new Float64Array(tokens * slots * out);
  for (let t = 0; t < tokens; t++) {
    for (let s = 0; s < slots; s++) {
      const expert = ids[t * slots + s];
      if (!Number.isInteger(expert) || expert < 0 || expert >= numExperts) {
        throw new BackendError('expertMatmul', `expert index ${expert} at [${t}, ${s}] is outside [0, ${numExperts})`);
      }
      const xBase = (t * tx.shape[1] + (shared ? 0 : s)) * inF;
      for (let o = 0; o < out; o++) {
        const wBase = (expert * out + o) * inF;
        let acc = 0;
        for (let k = 0; k < inF; k++) acc += xv[xBase + k] * wv[wBase + k];
        y[(t * slots + s) * out + o] = acc;
      }
    }
  }
  return rt.create(y, [tokens, slots, out], 'float32');
}
