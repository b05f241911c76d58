import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { BackendError } from '../errors/backend-error.js';

/** The additive value used for disallowed positions: large enough to vanish in a softmax, finite so fully masked rows stay NaN-free. */
export const MASK_VALUE = -1e9;

/**
 * Builds the additive causal + padding mask `[batch, 1, queryLen, keyLen]` for {@link Backend.attention}.
 *
 * `attentionMask` is `[batch][keyLen]` (1 = real token, 0 = padding) over all positions seen so far, past and current;
 * the `queryLen` queries are the last positions. Query `i` may attend key `j` when `j <= keyLen - queryLen + i` and
 * `attentionMask[b][j]` is 1.
 */
export function buildAttentionMask(backend: Backend, attentionMask: readonly (readonly number[])[], queryLen: number): Tensor {
  const batch = attentionMask.length;
  const keyLen = attentionMask[0]?.length ?? 0;
  const past = keyLen - queryLen;
  if (past < 0) throw new BackendError('buildAttentionMask', `the attention mask has ${keyLen} positions, fewer than the ${queryLen} queries`);
  const values = new Float32Array(batch * queryLen * keyLen);
  for (let b = 0; b < batch; b++) {
    const row = attentionMask[b];
    if (row.length !== keyLen) throw new BackendError('buildAttentionMask', `attention mask rows differ in length (${row.length} vs ${keyLen}); pad every row to one length`);
    for (let i = 0; i < queryLen; i++) {
      const base = (b * queryLen + i) * keyLen;
      for (let j = 0; j < keyLen; j++) {
        values[base + j] = j <= past + i && row[j] !== 0 ? 0 : MASK_VALUE;
      }
    }
  }
  return backend.tensor(values, [batch, 1, queryLen, keyLen]);
}
