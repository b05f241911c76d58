import { availableParallelism, loadavg } from 'node:os';
import { MAX_THREAD_COUNT, type SequenceBufferStorage, type WeightStorage } from '@pio/core';
import type { BenchChildCommand, NodeLlamaCppImporter } from '@pio/bench';
import { CliUsageError } from '../errors/cli-usage-error.js';
import type { CommandContext } from './command.js';
import { loadBenchHarness, type BenchHarness, type BenchHarnessImporter } from './load-bench-harness.js';
import { numberFlag } from './parse-command-args.js';

/** The flags of `pio bench --compare`, as parsed. */
export interface BenchCompareFlags {
  compare: string;
  model?: string | undefined;
  shape?: string | undefined;
  storage?: string | undefined;
  threads?: string | undefined;
  layers?: string | undefined;
  'prompt-tokens'?: string | undefined;
  'max-tokens'?: string | undefined;
  bandwidth?: string | undefined;
  dir?: string | undefined;
  'kv-cache'?: string | undefined;
  runs?: string | undefined;
  warmup?: string | undefined;
  json?: boolean | undefined;
}

/** What `pio bench --compare` runs with (injectable for tests). */
export interface BenchCompareDeps {
  /** Imports `@pio/bench`, the workspace's benchmark harness (default: from the CLI's location, see {@link loadBenchHarness}). */
  importBenchHarness?: BenchHarnessImporter;
  /** Imports node-llama-cpp (default: `@pio/bench`'s own, a development dependency there). */
  importNodeLlamaCpp?: NodeLlamaCppImporter;
  /** The program each engine run starts: this `pio` with the hidden `bench --engine-child`. */
  childCommand: () => BenchChildCommand;
}

/**
 * Checks the `--compare` flags; usage mistakes are {@link CliUsageError}s. With `--model`, PIO runs the model's
 * plugin on the CLI's ggml backend, which uses every core: both engines then run with that many threads.
 */
export function parseBenchCompareFlags(values: BenchCompareFlags, harness: Pick<BenchHarness, 'BENCH_SHAPES' | 'BENCH_STORAGES'>) {
  const { BENCH_SHAPES, BENCH_STORAGES } = harness;
  const usage = (message: string) => new CliUsageError('bench', message);
  if (values.compare !== 'node-llama-cpp') throw usage(`--compare supports only node-llama-cpp, got '${values.compare}'`);
  if (values.model !== undefined) {
    const randomOnly = (['shape', 'layers'] as const).find((flag) => values[flag] !== undefined);
    if (randomOnly) throw usage(`--${randomOnly} sets the random decoder; with --model the model's own shape is used`);
    const cores = availableParallelism();
    if (values.threads !== undefined && numberFlag('bench', 'threads', values.threads, 'int') !== cores) {
      throw usage(`with --model, PIO's ggml backend uses every core (${cores}); --threads must be ${cores} or left out`);
    }
  }
  const shapeName = values.shape ?? 'qwen3-0.6b';
  const base = BENCH_SHAPES[shapeName as keyof typeof BENCH_SHAPES];
  if (!base) throw usage(`--shape must be one of ${Object.keys(BENCH_SHAPES).join(', ')}, got '${shapeName}'`);
  const storages = (values.storage ?? 'float32,float16,q8_0').split(',').map((s) => s.trim()) as WeightStorage[];
  const bad = storages.find((s) => !BENCH_STORAGES.includes(s));
  if (bad !== undefined) throw usage(`--storage takes a comma-separated list of ${BENCH_STORAGES.join(', ')}, got '${bad}'`);
  const int = (name: string, value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    const n = numberFlag('bench', name, value, 'int') ?? fallback;
    if (n < 1) throw usage(`--${name} must be at least 1`);
    if (n > max) throw usage(`--${name} must be at most ${max}, got ${n}`);
    return n;
  };
  const layers = int('layers', values.layers, base.layers);
  const warmup = numberFlag('bench', 'warmup', values.warmup, 'int') ?? 8;
  if (warmup < 0) throw usage('--warmup must be 0 or more');
  const kv = values['kv-cache'] ?? 'float16';
  if (kv !== 'float16' && kv !== 'float32') throw usage(`--kv-cache must be float16 or float32, got '${kv}'`);
  const kvCacheStorage: SequenceBufferStorage = kv;
  const bandwidth = numberFlag('bench', 'bandwidth', values.bandwidth) ?? 31;
  if (bandwidth <= 0) throw usage('--bandwidth must be positive (GB/s)');
  return {
    shape: { ...base, layers },
    storages,
    threads: int('threads', values.threads, values.model !== undefined ? availableParallelism() : 2, MAX_THREAD_COUNT),
    promptTokens: int('prompt-tokens', values['prompt-tokens'], 128),
    decodeTokens: int('max-tokens', values['max-tokens'], 64),
    kvCacheStorage,
    runs: int('runs', values.runs, 1),
    warmupTokens: warmup,
    bandwidthBytesPerSecond: bandwidth * 1e9,
    ...(values.dir !== undefined ? { directory: values.dir } : {}),
  };
}

/** `pio bench --compare node-llama-cpp`: the side-by-side table of PIO (ggml) and node-llama-cpp. */
export async function runBenchCompare(context: CommandContext, values: BenchCompareFlags, deps: BenchCompareDeps): Promise<number> {
  const { out, err, io } = context;
  const harness = await loadBenchHarness(deps.importBenchHarness);
  const { compareWithNodeLlamaCpp, formatBenchTable, spawnBenchChild } = harness;
  const { shape, ...settings } = parseBenchCompareFlags(values, harness);
  const weights = values.model !== undefined ? { model: (await context.services.describeModel(values.model)).path } : { shape };
  // the PIO child of --model loads the model through the CLI's services: on ggml, as node-llama-cpp
  const base = deps.childCommand();
  const child = { ...base, env: { ...base.env, PIO_BACKEND: 'ggml' } };
  const abort = new AbortController();
  const stopInterrupt = io.onInterrupt(() => abort.abort());
  try {
    const comparison = await compareWithNodeLlamaCpp({
      ...settings,
      ...weights,
      ...(deps.importNodeLlamaCpp ? { importNodeLlamaCpp: deps.importNodeLlamaCpp } : {}),
      runEngine: (request, signal) => spawnBenchChild(child, request, signal),
      signal: abort.signal,
      onProgress: (event) => {
        if (event.stage === 'writing-gguf') err.info(`Writing ${event.storage} GGUF (${event.path})`);
        else if (event.stage === 'running') err.info(`Running ${event.engine === 'pio' ? 'PIO (ggml)' : 'node-llama-cpp'} with ${event.storage} weights`);
      },
    });
    if (values.json) {
      out.line(JSON.stringify(comparison));
      return 0;
    }
    const [title, ...table] = formatBenchTable(comparison);
    out.line(out.style('bold', title ?? ''));
    for (const line of table) out.line(line);
    out.line(
      out.style(
        'dim',
        `load average ${loadavg()
          .map((v) => v.toFixed(1))
          .join(' ')}; ratios are PIO / node-llama-cpp (above 1: PIO is faster)`,
      ),
    );
    return 0;
  } finally {
    stopInterrupt();
  }
}
