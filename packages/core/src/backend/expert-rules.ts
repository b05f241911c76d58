import { BackendError } from '../errors/backend-error.js';
import type { ExpertRoutingOptions } from './expert-routing.js';
import { formatShape as fmt } from './shape-rules.js';

/** The argument rules of {@link Backend.routeExperts} and {@link Backend.expertMatmul}, shared by every backend. */

/** Throws a {@link BackendError} naming `op` when the routing options do not fit `logits` `[tokens, numExperts]` (and `bias`). */
export function checkRoutingOptions(op: string, logitsShape: readonly number[], options: ExpertRoutingOptions, biasShape?: readonly number[]): void {
  if (logitsShape.length !== 2) throw new BackendError(op, `logits must be [tokens, numExperts], got ${fmt(logitsShape)}`);
  const e = logitsShape[1];
  const { topK, scoring } = options;
  const groups = options.groups ?? { count: 1, keep: 1 };
  if (scoring !== 'sigmoid' && scoring !== 'softmax') throw new BackendError(op, `scoring must be 'sigmoid' or 'softmax', got '${String(scoring)}'`);
  if (!Number.isInteger(groups.count) || groups.count < 1 || e % groups.count !== 0) {
    throw new BackendError(op, `groups.count = ${groups.count} must be a positive divisor of the ${e} experts`);
  }
  if (!Number.isInteger(groups.keep) || groups.keep < 1 || groups.keep > groups.count) {
    throw new BackendError(op, `groups.keep = ${groups.keep} must be an integer in [1, ${groups.count}]`);
  }
  const candidates = (e / groups.count) * groups.keep;
  if (!Number.isInteger(topK) || topK < 1 || topK > candidates) {
    throw new BackendError(op, `topK = ${topK} must be an integer in [1, ${candidates}] (experts in the kept groups)`);
  }
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== e)) throw new BackendError(op, `bias ${fmt(biasShape)} must be [${e}]`);
}

/** Throws a {@link BackendError} unless the shapes fit {@link Backend.expertMatmul}; returns `[tokens, slots, out, in, numExperts]`. */
export function checkExpertMatmul(
  x: readonly number[],
  w: readonly number[],
  ids: readonly number[],
  idsDtype: string,
): [number, number, number, number, number] {
  const op = 'expertMatmul';
  if (w.length !== 3) throw new BackendError(op, `weights must be a stack [numExperts, out, in], got ${fmt(w)}`);
  if (ids.length !== 2 || idsDtype !== 'int32') throw new BackendError(op, `experts must be int32 [tokens, slots], got ${idsDtype}${fmt(ids)}`);
  const [tokens, slots] = ids;
  const [numExperts, out, inF] = w;
  if (x.length !== 3 || x[0] !== tokens || (x[1] !== 1 && x[1] !== slots) || x[2] !== inF) {
    throw new BackendError(op, `x ${fmt(x)} must be [${tokens}, 1 or ${slots}, ${inF}] for experts ${fmt(ids)} and weights ${fmt(w)}`);
  }
  return [tokens, slots, out, inF, numExperts];
}
