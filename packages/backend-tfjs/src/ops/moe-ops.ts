import {
  BackendError,
  checkExpertMatmul,
  checkRoutingOptions,
  routeExpertsOnHost,
  type ExpertRouting,
  type ExpertRoutingOptions,
  type Tensor,
} from '@pio/core';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import type { TfTensor } from '../runtime/tf-types.js';
import { HostWeight } from '../weights/host-weight.js';
import { as } from './elementwise-ops.js';
import { matmulCore } from './matmul-core.js';
import { bytesOf } from './shape-utils.js';

/**
 * `Backend.routeExperts`: tfjs computes on the host side of its engines (cpu / wasm), so the logits are read and
 * routed with core's float32 `routeExpertsOnHost` (the reference algorithm, same tie rules).
 */
export function routeExpertsOp(rt: TfjsRuntime, logits: Tensor, options: ExpertRoutingOptions): ExpertRouting {
  rt.check('routeExperts', logits, 'logits');
  if (options.bias) rt.check('routeExperts', options.bias, 'bias');
  checkRoutingOptions('routeExperts', logits.shape, options, options.bias?.shape);
  const [tokens, e] = logits.shape;
  const shape = [tokens, options.topK];
  const [experts, weights] = rt.run('routeExperts', { out: 2 * bytesOf(shape), inputs: [logits, options.bias] }, () => {
    const bias = options.bias ? (as(rt.tf, rt.unwrap(options.bias), 'float32').dataSync() as Float32Array) : undefined;
    const routed = routeExpertsOnHost(as(rt.tf, rt.unwrap(logits), 'float32').dataSync() as Float32Array, tokens, e, bias, options);
    return [rt.tf.tensor(routed.experts, shape, 'int32'), rt.tf.tensor(routed.weights, shape, 'float32')];
  });
  return { experts: experts as unknown as Tensor, weights: weights as unknown as Tensor };
}

/**
 * `Backend.expertMatmul`: the expert ids are read, and each chosen expert multiplies the rows routed to it (a compact
 * weight decodes only that expert's matrix); the products are put back in `[tokens, slots]` order.
 */
export function expertMatmulOp(rt: TfjsRuntime, x: Tensor, weights: Tensor, experts: Tensor): Tensor {
  rt.check('expertMatmul', x, 'x');
  rt.check('expertMatmul', weights, 'weights');
  rt.check('expertMatmul', experts, 'experts');
  const [tokens, slots, out, inF, numExperts] = checkExpertMatmul(x.shape, weights.shape, experts.shape, experts.dtype);
  const shape = [tokens, slots, out];
  const tf = rt.tf;
  const traits = rt.engine.traits;
  const xSlots = x.shape[1];
  return rt.run('expertMatmul', { out: bytesOf(shape), extra: 2 * bytesOf(shape) + bytesOf([out, inF]), inputs: [x] }, () => {
    const ids = rt.unwrap(experts).dataSync() as Int32Array;
    const byExpert = new Map<number, number[]>();
    ids.forEach((expert, slot) => {
      if (expert < 0 || expert >= numExperts) throw new BackendError('expertMatmul', `expert index ${expert} at slot ${slot} is outside [0, ${numExperts})`);
      let slotList = byExpert.get(expert);
      if (!slotList) byExpert.set(expert, (slotList = []));
      slotList.push(slot);
    });
    const rows = tf.reshape(as(tf, rt.unwrap(x), 'float32'), [tokens * xSlots, inF]);
    const stack = weights instanceof HostWeight ? undefined : as(tf, rt.unwrap(weights), 'float32'); // [E, out, in]
    const parts: TfTensor[] = [];
    const position = new Int32Array(tokens * slots);
    let offset = 0;
    for (const [expert, slotList] of [...byExpert].sort((a, b) => a[0] - b[0])) {
      const rowIds = Int32Array.from(slotList, (s) => (xSlots === 1 ? Math.floor(s / slots) : s));
      const w = stack
        ? tf.reshape(tf.slice(stack, [expert, 0, 0], [1, out, inF]), [out, inF])
        : tf.tensor((weights as HostWeight).decodeRows([expert], out), [out, inF], 'float32');
      parts.push(matmulCore(tf, traits, tf.gather(rows, tf.tensor(rowIds, [rowIds.length], 'int32')), w, false, true)); // [n, out]
      slotList.forEach((s, i) => (position[s] = offset + i));
      offset += slotList.length;
    }
    const joined = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    return tf.reshape(tf.gather(joined, tf.tensor(position, [position.length], 'int32')), shape);
  }) as unknown as Tensor;
}
