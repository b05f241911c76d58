import { describe, expect, it } from 'vitest';
import { benchComparisonRow } from './bench-comparison-row.js';
import { BENCH_SHAPES } from './bench-shapes.js';
import { formatBenchTable } from './format-bench-table.js';

// Timings chosen so every figure is easy to check by hand.
const PIO = { prefillMs: 1000, decodeMs: [100, 50, 200], tokens: [5, 6, 7], weightBytes: 2e9 };
const LLAMA = { prefillMs: 500, decodeMs: [40, 60, 50, 45], tokens: [5, 6, 8, 9] };

describe('the side-by-side table', () => {
  it('derives speeds, ratios, bandwidth shares and greedy agreement from raw timings', () => {
    const row = benchComparisonRow('float16', PIO, LLAMA, { promptTokens: 128, bandwidthBytesPerSecond: 40e9, loadAverage: [1, 2, 3] });
    // prefill: 128 tokens in 1 s and in 0.5 s; decode: median step 100 ms and 50 ms (upper median of 4)
    expect(row.pio.prefillTokensPerSecond).toBe(128);
    expect(row.llama.prefillTokensPerSecond).toBe(256);
    expect(row.pio.decodeTokensPerSecond).toBe(10);
    expect(row.llama.decodeTokensPerSecond).toBe(20);
    expect(row.prefillRatio).toBe(0.5);
    expect(row.decodeRatio).toBe(0.5);
    // both engines hold PIO's 2 GB: 10 and 20 steps/s read 20 and 40 GB/s of a 40 GB/s limit
    expect(row.pio.decodeBytesPerSecond).toBe(20e9);
    expect(row.llama.bandwidthShare).toBe(1);
    expect(row.tokensEqual).toBe(2);
    expect(row.tokensCompared).toBe(3);
    expect(row.loadAverage).toEqual([1, 2, 3]);
  });

  it('renders a padded Markdown table, a PIO and a node-llama-cpp row per storage', () => {
    const rows = [
      benchComparisonRow('float16', PIO, LLAMA, { promptTokens: 128, bandwidthBytesPerSecond: 40e9 }),
      benchComparisonRow('q8_0', PIO, { ...LLAMA, tokens: [5, 6, 7] }, { promptTokens: 128, bandwidthBytesPerSecond: 40e9 }),
    ];
    const lines = formatBenchTable({
      shape: { ...BENCH_SHAPES.tiny, layers: 1 },
      storages: ['float16', 'q8_0'],
      threads: 2,
      promptTokens: 128,
      decodeTokens: 3,
      warmupTokens: 8,
      kvCacheStorage: 'float16',
      runs: 1,
      bandwidthBytesPerSecond: 40e9,
      startedAt: '2026-01-01T00:00:00.000Z',
      rows,
    });
    expect(lines[0]).toBe(
      'tiny shape (1 layers), random weights, prompt 128, decode 3, after 8 warm-up steps, 2 threads, float16 KV cache, 1 run, 2026-01-01T00:00:00.000Z',
    );
    const cells = lines.slice(1).map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
    expect(cells[0]).toEqual([
      'storage',
      'engine',
      'prefill tok/s',
      'decode tok/s',
      'decode GB/s (share of 40)',
      'PIO/llama prefill',
      'PIO/llama decode',
      'greedy tokens equal',
    ]);
    expect(cells[1].every((cell) => /^-+$/.test(cell))).toBe(true);
    expect(cells[2]).toEqual(['F16', 'PIO ggml', '128.0', '10.00', '20.0 (50%)', '0.50', '0.50', 'first 2 of 3']);
    expect(cells[3]).toEqual(['F16', 'node-llama-cpp', '256.0', '20.00', '40.0 (100%)', '', '', '']);
    expect(cells[4]).toEqual(['Q8_0', 'PIO ggml', '128.0', '10.00', '20.0 (50%)', '0.50', '0.50', '3 of 3']);
    expect(cells).toHaveLength(6);
    // columns line up
    expect(new Set(lines.slice(1).map((line) => line.length)).size).toBe(1);
  });

  it('says under the table what PIO stored in a repacked layout, when the run reported it', () => {
    const rows = [benchComparisonRow('q4_0', PIO, LLAMA, { promptTokens: 128, bandwidthBytesPerSecond: 40e9 })];
    const comparison = {
      shape: { ...BENCH_SHAPES.tiny, layers: 1 },
      storages: ['q4_0' as const],
      threads: 2,
      promptTokens: 128,
      decodeTokens: 3,
      warmupTokens: 8,
      kvCacheStorage: 'float16' as const,
      runs: 1,
      bandwidthBytesPerSecond: 40e9,
      startedAt: '2026-01-01T00:00:00.000Z',
      rows,
    };
    expect(formatBenchTable(comparison)).toHaveLength(5);
    const lines = formatBenchTable({ ...comparison, pioWeightRepack: 'q4_0, q4_k linear weights repacked (CPU_REPACK)' });
    expect(lines).toHaveLength(6);
    expect(lines[3]).toContain('| Q4_0 ');
    expect(lines[5]).toBe('PIO weights: q4_0, q4_k linear weights repacked (CPU_REPACK)');
  });
});
