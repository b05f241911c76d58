import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';

/**
 * The last position of `t` along `axis`, the axis kept with extent 1 (one `backend.slice`). What
 * `outputPositions` and `outputQueries` cut for `last`. Internal to core.
 */
export function lastPosition(backend: Backend, t: Tensor, axis: number): Tensor {
  return backend.slice(
    t,
    t.shape.map((d, i) => (i === axis ? d - 1 : 0)),
    t.shape.map((d, i) => (i === axis ? 1 : d)),
  );
}
