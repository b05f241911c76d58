import type { GgmlApi } from '../runtime/ggml-api.js';

/**
 * `ggml_quantize_chunk` of `rows` rows of `values` (float32, `perRow` each) into `encoded` (`storedRowBytes` a row),
 * a share of the rows on each of `threads` worker threads at once. Rows quantize independently, so the bytes are
 * those of one call; on 2 cores a `[1536, 2048]` matrix quantizes to Q8_0 in 4.0-4.6 ms instead of 7.6-7.9.
 */
export async function quantizeInShares(
  api: Pick<GgmlApi, 'quantizeChunkAsync'>,
  type: number,
  values: Float32Array,
  encoded: Uint8Array,
  rows: number,
  perRow: number,
  storedRowBytes: number,
  threads: number,
): Promise<void> {
  const share = Math.ceil(rows / Math.max(1, Math.min(threads, rows)));
  const parts: Promise<number>[] = [];
  for (let start = 0; start < rows; start += share) {
    const count = Math.min(share, rows - start);
    const from = values.subarray(start * perRow, (start + count) * perRow);
    const to = encoded.subarray(start * storedRowBytes, (start + count) * storedRowBytes);
    parts.push(api.quantizeChunkAsync(type, from, to, count, perRow));
  }
  await Promise.all(parts);
}
