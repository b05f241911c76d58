import type { Tensor } from '../backend/tensor.js';

/**
 * The last position's rows of prefill logits `[batch, seq, vocab]`, `[batch * vocab]` (test helper): what a session's
 * `prefill()` returns for the same prompt. Reads and disposes `logits`.
 */
export async function lastPositionLogits(logits: Tensor): Promise<Float32Array> {
  const [batch, seq, vocab] = logits.shape;
  const data = (await logits.data()) as Float32Array;
  logits.dispose();
  const last = new Float32Array(batch * vocab);
  for (let r = 0; r < batch; r++) last.set(data.subarray((r * seq + seq - 1) * vocab, (r * seq + seq) * vocab), r * vocab);
  return last;
}
