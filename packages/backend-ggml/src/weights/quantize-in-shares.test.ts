import { describe, expect, it } from 'vitest';
import { quantizeInShares } from './quantize-in-shares.js';

// The shares of rows handed to ggml: which rows each call gets, and where its bytes go (the real quantizer's output is
// tested in write-ggml-weight-rows.test.ts).
describe('quantizeInShares', () => {
  const record = () => {
    const calls: Array<{ from: number; values: number; to: number; bytes: number; rows: number }> = [];
    const values = new Float32Array(7 * 4);
    const encoded = new Uint8Array(7 * 2);
    const api = {
      quantizeChunkAsync: async (_type: number, src: Float32Array, dst: Uint8Array, rows: number) => {
        calls.push({ from: src.byteOffset / 4, values: src.length, to: dst.byteOffset, bytes: dst.length, rows });
        return dst.length;
      },
    };
    return { calls, values, encoded, api };
  };

  it('splits 7 rows over 3 threads as 3, 3 and 1, each at its own offset', async () => {
    const { calls, values, encoded, api } = record();
    await quantizeInShares(api, 8, values, encoded, 7, 4, 2, 3);
    expect(calls).toEqual([
      { from: 0, values: 12, to: 0, bytes: 6, rows: 3 },
      { from: 12, values: 12, to: 6, bytes: 6, rows: 3 },
      { from: 24, values: 4, to: 12, bytes: 2, rows: 1 },
    ]);
  });

  it('uses one call for one thread, and never more calls than rows', async () => {
    const one = record();
    await quantizeInShares(one.api, 8, one.values, one.encoded, 7, 4, 2, 1);
    expect(one.calls.map((c) => c.rows)).toEqual([7]);
    const many = record();
    await quantizeInShares(many.api, 8, many.values.subarray(0, 8), many.encoded.subarray(0, 4), 2, 4, 2, 16);
    expect(many.calls.map((c) => c.rows)).toEqual([1, 1]);
  });

  it('does nothing for no rows (and returns)', async () => {
    const { calls, values, encoded, api } = record();
    await quantizeInShares(api, 8, values.subarray(0, 0), encoded.subarray(0, 0), 0, 4, 2, 2);
    expect(calls).toEqual([]);
  });
});
