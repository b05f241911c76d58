import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { BackendError } from '../errors/backend-error.js';
import type { AttentionMaskOptions } from './attention-mask-options.js';

/** The additive value used for disallowed positions: large enough to vanish in a softmax, finite so fully masked rows stay NaN-free. */
export const MASK_VALUE = -1e9;

/**
 * Builds the additive causal + padding mask `[batch, 1, queryLen, keyLen]` for {@link Backend.attention}.
 *
 * `attentionMask` is `[batch][keyLen]` (1 = real token, 0 = padding) over all positions seen so far, past and current;
 * the `queryLen` queries are the last positions. Query `i` may attend key `j` when `j <= keyLen - queryLen + i` and
 * `attentionMask[b][j]` is 1. With `options.keyLength` the mask is `[batch, 1, queryLen, keyLength]` and every key
 * from `keyLen` on is masked out (the padded tail of a padded `KVCache`).
 *
 * @throws `BackendError` when there are fewer positions than queries, rows differ in length, or
 * `options.keyLength` is below the rows' length
 */
export function buildAttentionMask(
  backend: Backend,
  attentionMask: readonly (readonly number[])[],
  queryLen: number,
  options: AttentionMaskOptions = {},
): Tensor {
  const values = attentionMaskValues(attentionMask, queryLen, options);
  const keyLen = options.keyLength ?? attentionMask[0]?.length ?? 0;
  return backend.tensor(values, [attentionMask.length, 1, queryLen, keyLen]);
}

/** The values of {@link buildAttentionMask}'s mask, row-major `[batch, 1, queryLen, keyLen]`, on the host. */
export function attentionMaskValues(attentionMask: readonly (readonly number[])[], queryLen: number, options: AttentionMaskOptions = {}): Float32Array {
  const batch = attentionMask.length;
  const rowLen = attentionMask[0]?.length ?? 0;
  const past = rowLen - queryLen;
  if (past < 0) throw new BackendError('buildAttentionMask', `the attention mask has ${rowLen} positions, fewer than the ${queryLen} queries`);
  const keyLen = options.keyLength ?? rowLen;
  if (!Number.isInteger(keyLen) || keyLen < rowLen) {
    throw new BackendError(
      'buildAttentionMask',
      `keyLength ${options.keyLength} is shorter than the attention mask's ${rowLen} positions; pass the padded key length (KVCache.keyLength) or omit it`,
    );
  }
  const values = new Float32Array(batch * queryLen * keyLen);
  for (let b = 0; b < batch; b++) {
    const row = attentionMask[b];
    if (row.length !== rowLen)
      throw new BackendError('buildAttentionMask', `attention mask rows differ in length (${row.length} vs ${rowLen}); pad every row to one length`);
    for (let i = 0; i < queryLen; i++) {
      const base = (b * queryLen + i) * keyLen;
      for (let j = 0; j < keyLen; j++) {
        values[base + j] = j < rowLen && j <= past + i && row[j] !== 0 ? 0 : MASK_VALUE;
      }
    }
  }
  return values;
}
