import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';

/**
 * The gated activation of a SwiGLU feed-forward block, `silu(gate) * up` (same shapes): the backend's fused
 * {@link Backend.swiglu} when it has one (one ggml graph node), `mul(silu(gate), up)` otherwise. Both give the same
 * values; plugins call this rather than choosing.
 */
export function applySwiglu(backend: Backend, gate: Tensor, up: Tensor): Tensor {
  if (backend.swiglu) return backend.swiglu(gate, up);
  return backend.mul(backend.silu(gate), up); // the silu result goes with the caller's scope, as the ops' would
}
