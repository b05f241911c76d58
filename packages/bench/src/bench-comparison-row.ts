import type { WeightStorage } from '@pio/core';
import type { BenchEngineResult } from './bench-engine-result.js';

/** Speeds of one engine on one storage. */
export interface BenchEngineSpeed {
  /** Prompt tokens / prefill seconds. */
  prefillTokensPerSecond: number;
  /** 1 / the median decode step, in tokens per second. */
  decodeTokensPerSecond: number;
  /** Weight bytes read per second while decoding (each step reads every weight once). */
  decodeBytesPerSecond: number;
  /** `decodeBytesPerSecond` as a share (0–1) of the memory-bandwidth limit. */
  bandwidthShare: number;
  /** The raw timings and tokens. */
  raw: BenchEngineResult;
}

/** One storage's line of the side-by-side table: both engines and their ratios. */
export interface BenchComparisonRow {
  storage: WeightStorage;
  pio: BenchEngineSpeed;
  llama: BenchEngineSpeed;
  /** PIO prefill tokens/s divided by node-llama-cpp's (above 1: PIO is faster). */
  prefillRatio: number;
  /** PIO decode tokens/s divided by node-llama-cpp's. */
  decodeRatio: number;
  /** How many greedy tokens the engines agree on, from the first (a correctness check: same weights, same math). */
  tokensEqual: number;
  /** How many greedy tokens were compared (the shorter of the two runs). */
  tokensCompared: number;
  /** The machine's 1, 5 and 15 minute load averages after the row (other work skews the figures). */
  loadAverage: number[];
}

const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;

/**
 * Builds a {@link BenchComparisonRow} from the two engines' raw results: prefill rate over `promptTokens`, decode
 * rate from the median step, bandwidth from the weight bytes PIO reports (both engines hold the same bytes), else
 * `settings.weightBytes`.
 */
export function benchComparisonRow(
  storage: WeightStorage,
  pio: BenchEngineResult,
  llama: BenchEngineResult,
  settings: { promptTokens: number; bandwidthBytesPerSecond: number; loadAverage?: number[]; weightBytes?: number },
): BenchComparisonRow {
  const bytes = pio.weightBytes ?? llama.weightBytes ?? settings.weightBytes ?? 0;
  const speed = (raw: BenchEngineResult): BenchEngineSpeed => {
    const decode = 1000 / median(raw.decodeMs);
    return {
      prefillTokensPerSecond: settings.promptTokens / (raw.prefillMs / 1000),
      decodeTokensPerSecond: decode,
      decodeBytesPerSecond: bytes * decode,
      bandwidthShare: (bytes * decode) / settings.bandwidthBytesPerSecond,
      raw,
    };
  };
  const [p, l] = [speed(pio), speed(llama)];
  const tokensCompared = Math.min(pio.tokens.length, llama.tokens.length);
  let tokensEqual = 0;
  while (tokensEqual < tokensCompared && pio.tokens[tokensEqual] === llama.tokens[tokensEqual]) tokensEqual++;
  return {
    storage,
    pio: p,
    llama: l,
    prefillRatio: p.prefillTokensPerSecond / l.prefillTokensPerSecond,
    decodeRatio: p.decodeTokensPerSecond / l.decodeTokensPerSecond,
    tokensEqual,
    tokensCompared,
    loadAverage: settings.loadAverage ?? [],
  };
}
