import type { WeightStorage } from '@pio/core';
import type { BenchComparison } from './bench-comparison.js';

const LABELS: Partial<Record<WeightStorage, string>> = { float32: 'F32', float16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0' };

/**
 * The side-by-side table of a {@link BenchComparison} as lines of text: a title line, then a Markdown table with
 * columns padded to equal width (readable in a terminal, pastes into Markdown): per storage a PIO row (with the
 * ratios PIO / node-llama-cpp and the greedy-token agreement) and a node-llama-cpp row. Decode bandwidth is given in
 * GB/s and as a share of the comparison's memory-bandwidth limit.
 */
export function formatBenchTable(comparison: BenchComparison): string[] {
  const { shape, bandwidthBytesPerSecond: limit } = comparison;
  const gb = (bytesPerSecond: number, share: number) => `${(bytesPerSecond / 1e9).toFixed(1)} (${(100 * share).toFixed(0)}%)`;
  const rows: string[][] = [
    [
      'storage',
      'engine',
      'prefill tok/s',
      'decode tok/s',
      `decode GB/s (share of ${(limit / 1e9).toFixed(0)})`,
      'PIO/llama prefill',
      'PIO/llama decode',
      'greedy tokens equal',
    ],
  ];
  for (const row of comparison.rows) {
    const label = LABELS[row.storage] ?? row.storage;
    const { pio, llama } = row;
    const agree = row.tokensEqual === row.tokensCompared ? `${row.tokensEqual} of ${row.tokensCompared}` : `first ${row.tokensEqual} of ${row.tokensCompared}`;
    const speeds = (s: typeof pio) => [s.prefillTokensPerSecond.toFixed(1), s.decodeTokensPerSecond.toFixed(2), gb(s.decodeBytesPerSecond, s.bandwidthShare)];
    rows.push([label, 'PIO ggml', ...speeds(pio), row.prefillRatio.toFixed(2), row.decodeRatio.toFixed(2), agree]);
    rows.push([label, 'node-llama-cpp', ...speeds(llama), '', '', '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const title =
    `${shape.name} ${comparison.model === undefined ? 'shape' : 'text decoder'} (${shape.layers} layers), ` +
    `${comparison.model === undefined ? 'random weights' : 'model weights'}, prompt ${comparison.promptTokens}, decode ${comparison.decodeTokens}, ` +
    `${comparison.warmupTokens > 0 ? `after ${comparison.warmupTokens} warm-up steps, ` : 'no warm-up, '}` +
    `${comparison.threads} threads, ${comparison.kvCacheStorage} KV cache, ${comparison.runs === 1 ? '1 run' : `median of ${comparison.runs} alternating runs`}, ${comparison.startedAt}`;
  const table = [title, line(rows[0]), line(widths.map((w) => '-'.repeat(Math.max(3, w)))), ...rows.slice(1).map(line)];
  return comparison.pioWeightRepack === undefined ? table : [...table, `PIO weights: ${comparison.pioWeightRepack}`];
}
