import type { DecoderShape } from './decoder-shape.js';

/**
 * The decoder shapes the side-by-side benchmark knows by name: `qwen3-0.6b` (Qwen3-0.6B's `config.json`: 28 layers,
 * hidden 1024, 16/8 heads of 128, MLP 3072, vocabulary 151936, tied embeddings) and `tiny` (2 layers, hidden 64, a
 * 1024-token vocabulary: seconds to run, for tests and smoke checks). Every matrix width is a multiple of 32, as
 * Q8_0 and Q4_0 need.
 */
export const BENCH_SHAPES: Readonly<Record<'qwen3-0.6b' | 'tiny', DecoderShape>> = {
  'qwen3-0.6b': {
    name: 'qwen3-0.6b',
    vocab: 151936,
    hidden: 1024,
    layers: 28,
    heads: 16,
    kvHeads: 8,
    headDim: 128,
    intermediate: 3072,
    ropeTheta: 1_000_000,
    eps: 1e-6,
  },
  tiny: {
    name: 'tiny',
    vocab: 1024,
    hidden: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    intermediate: 128,
    ropeTheta: 1_000_000,
    eps: 1e-6,
  },
};
