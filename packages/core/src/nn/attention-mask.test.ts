import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { buildAttentionMask, MASK_VALUE } from './attention-mask.js';

const M = MASK_VALUE;

describe('buildAttentionMask', () => {
  it('is causal for a prefill without padding', async () => {
    const backend = createReferenceBackend();
    const mask = buildAttentionMask(backend, [[1, 1, 1]], 3);
    expect([...mask.shape]).toEqual([1, 1, 3, 3]);
    expect(mask.dtype).toBe('float32');
    // prettier-ignore
    expect([...(await mask.data())]).toEqual([0, M, M, 0, 0, M, 0, 0, 0]);
  });

  it('masks left padding in every query row', async () => {
    const backend = createReferenceBackend();
    const mask = buildAttentionMask(
      backend,
      [
        [1, 1, 1, 1],
        [0, 0, 1, 1],
      ],
      4,
    );
    expect([...mask.shape]).toEqual([2, 1, 4, 4]);
    // prettier-ignore
    expect([...(await mask.data())]).toEqual([
      0,
      M,
      M,
      M,
      0,
      0,
      M,
      M,
      0,
      0,
      0,
      M,
      0,
      0,
      0,
      0,
      M,
      M,
      M,
      M, // a pad query sees nothing
      M,
      M,
      M,
      M,
      M,
      M,
      0,
      M,
      M,
      M,
      0,
      0,
    ]);
  });

  it('offsets the causal limit by the cached positions when decoding', async () => {
    const backend = createReferenceBackend();
    // 5 positions known, 1 new query: it sees every real position.
    const step = buildAttentionMask(
      backend,
      [
        [0, 1, 1, 1, 1],
        [1, 1, 1, 1, 1],
      ],
      1,
    );
    expect([...step.shape]).toEqual([2, 1, 1, 5]);
    expect([...(await step.data())]).toEqual([M, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // 2 queries after 3 cached positions: query i sees keys j <= 3 + i.
    const chunk = buildAttentionMask(backend, [[1, 1, 1, 1, 1]], 2);
    // prettier-ignore
    expect([...(await chunk.data())]).toEqual([0, 0, 0, 0, M, 0, 0, 0, 0, 0]);
  });

  it('masks the padded tail when keyLength exceeds the rows', async () => {
    const backend = createReferenceBackend();
    // prefill of 3 (the first row left-padded) into a cache padded to 5 positions
    const prefill = buildAttentionMask(
      backend,
      [
        [1, 1, 1],
        [0, 1, 1],
      ],
      3,
      { keyLength: 5 },
    );
    expect([...prefill.shape]).toEqual([2, 1, 3, 5]);
    // prettier-ignore
    expect([...(await prefill.data())]).toEqual([0, M, M, M, M, 0, 0, M, M, M, 0, 0, 0, M, M, M, M, M, M, M, M, 0, M, M, M, M, 0, 0, M, M]);
    // a decode step: 4 known positions, 1 query, padded to 8
    const step = buildAttentionMask(backend, [[0, 1, 1, 1]], 1, { keyLength: 8 });
    expect([...step.shape]).toEqual([1, 1, 1, 8]);
    expect([...(await step.data())]).toEqual([M, 0, 0, 0, M, M, M, M]);
    // keyLength equal to the rows' length changes nothing
    const same = buildAttentionMask(backend, [[1, 1]], 1, { keyLength: 2 });
    expect([...(await same.data())]).toEqual([0, 0]);
  });

  it('rejects a keyLength shorter than the rows', () => {
    const backend = createReferenceBackend();
    expect(() => buildAttentionMask(backend, [[1, 1, 1]], 1, { keyLength: 2 })).toThrow(
      expect.objectContaining({ code: 'PIO_BACKEND_ERROR', op: 'buildAttentionMask' }),
    );
    expect(() => buildAttentionMask(backend, [[1, 1, 1]], 1, { keyLength: 3.5 })).toThrow(
      expect.objectContaining({ code: 'PIO_BACKEND_ERROR', op: 'buildAttentionMask' }),
    );
  });

  it('rejects more queries than positions and ragged rows', () => {
    const backend = createReferenceBackend();
    expect(() => buildAttentionMask(backend, [[1, 1]], 3)).toThrow(expect.objectContaining({ code: 'PIO_BACKEND_ERROR', op: 'buildAttentionMask' }));
    expect(() =>
      buildAttentionMask(
        backend,
        [
          [1, 1, 1],
          [1, 1],
        ],
        1,
      ),
    ).toThrow(expect.objectContaining({ code: 'PIO_BACKEND_ERROR', op: 'buildAttentionMask' }));
  });
});
