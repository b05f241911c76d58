import type { Tensor } from '../backend/tensor.js';

/**
 * The last position's rows of prefill logits `values` of shape `[batch, seq, vocab]`, `[batch * vocab]` (test
 * helper): what a session's `prefill()` returns for the same prompt.
 */
export function lastPositionRows(values: Float32Array, shape: readonly number[]): Float32Array {
  const [batch, seq, vocab] = shape;
  const last = new Float32Array(batch * vocab);
  for (let r = 0; r < batch; r++) last.set(values.subarray((r * seq + seq - 1) * vocab, (r * seq + seq) * vocab), r * vocab);
  return last;
}

/** {@link lastPositionRows} of a logits tensor (test helper). Reads and disposes `logits`. */
export async function lastPositionLogits(logits: Tensor): Promise<Float32Array> {
  const values = (await logits.data()) as Float32Array;
  logits.dispose();
  return lastPositionRows(values, logits.shape);
}
