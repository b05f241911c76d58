import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedSettingError, type SequenceBufferStorage, type WeightStorage } from '@pio/core';
import { createGgmlRowEncoder } from '@pio/backend-ggml';
import type { BenchComparison } from './bench-comparison.js';
import { benchComparisonRow, type BenchComparisonRow } from './bench-comparison-row.js';
import type { BenchEngine, BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';
import { benchPrompt } from './bench-prompt.js';
import type { DecoderShape } from './decoder-shape.js';
import type { GgufSourceTensor } from './gguf-source-tensor.js';
import { loadNodeLlamaCpp, type NodeLlamaCppImporter } from './load-node-llama-cpp.js';
import { openGlmFolder } from './open-glm-folder.js';
import { openQwen3Folder, type Qwen3Folder } from './open-qwen3-folder.js';
import { randomWeights } from './random-weights.js';
import { BENCH_STORAGES, writeBenchGguf } from './write-bench-gguf.js';

/** What {@link compareWithNodeLlamaCpp} is doing, for progress display. */
export type BenchProgress =
  | { stage: 'writing-gguf'; storage: WeightStorage; path: string }
  | { stage: 'running'; engine: BenchEngine; storage: WeightStorage }
  | { stage: 'row'; row: BenchComparisonRow };

/** Options of {@link compareWithNodeLlamaCpp}. */
export interface CompareWithNodeLlamaCppOptions {
  /**
   * The decoder to build with random weights (e.g. `BENCH_SHAPES['qwen3-0.6b']`, possibly with fewer layers); or
   * `model`.
   */
  shape?: DecoderShape;
  /**
   * A Qwen3 or Qwen3-VL model folder instead of random weights: its text decoder is written as GGUF, and `runEngine`
   * runs PIO on the folder (through the model's plugin) and reports the prompt it chose.
   */
  model?: string;
  /** Weight storages, one row each, e.g. `['float32', 'float16', 'q8_0']` (see {@link BENCH_STORAGES}). */
  storages: readonly WeightStorage[];
  /** CPU threads of both engines. */
  threads: number;
  /** Prompt length, prefilled at once. */
  promptTokens: number;
  /** Greedy decode steps after the prefill. */
  decodeTokens: number;
  /**
   * Runs of each engine per storage, alternating PIO and node-llama-cpp (default 1). With more, each engine's row
   * reports its median run (by decode speed) and the median prefill, which evens out load that comes and goes.
   */
  runs?: number;
  /**
   * Untimed warm-up steps each engine generates from the prompt, in its own process and on a fresh cache, before the
   * timed run (default 8; 0: none, the first generation after loading is timed).
   */
  warmupTokens?: number;
  /** KV cache element type of both engines; default `float16` (node-llama-cpp's default, so like is compared with like). */
  kvCacheStorage?: SequenceBufferStorage;
  /** PIO's ggml `repackWeights` option (repacked weight layouts); default: the backend's (on where the CPU has them). */
  repackWeights?: boolean;
  /** False: PIO runs its model's forward pass at every decode step (no replay of recorded steps); default on. */
  replaySteps?: boolean;
  /**
   * Runs one engine in a fresh process (one copy of the weights at a time), usually {@link spawnBenchChild} with a
   * program that calls {@link runBenchEngine}.
   */
  runEngine: (request: BenchEngineRequest, signal?: AbortSignal) => Promise<BenchEngineResult>;
  /** Imports node-llama-cpp, to check up front that it is installed; default: resolved from this package. */
  importNodeLlamaCpp?: NodeLlamaCppImporter;
  /** Seed of the random weights (default 1234). */
  seed?: number;
  /** Folder for the GGUF files, kept and reused by later runs; default: a temporary folder removed at the end. */
  directory?: string;
  /** The memory-bandwidth limit, bytes per second (default 31e9, the benchmark machine's). */
  bandwidthBytesPerSecond?: number;
  onProgress?: (event: BenchProgress) => void;
  signal?: AbortSignal;
}

/**
 * PIO on the ggml backend against node-llama-cpp on the same weights (random Qwen3 weights of `shape`, or the text
 * decoder of the Qwen3 / Qwen3-VL folder `model`): writes one GGUF per storage (matrices encoded with the same
 * `ggml_quantize_chunk` call the backend uses at load, so both engines hold identical bytes), then runs each engine in
 * turn through `runEngine` and returns prefill and decode speeds, their ratios and how many greedy tokens agree. A
 * missing node-llama-cpp is a {@link NodeLlamaCppMissingError}, a storage outside {@link BENCH_STORAGES} an
 * `UnsupportedSettingError`, both raised before any work; a folder that is not a Qwen3 is a {@link BenchModelError}.
 */
export async function compareWithNodeLlamaCpp(options: CompareWithNodeLlamaCppOptions): Promise<BenchComparison> {
  const { threads, promptTokens, decodeTokens, signal } = options;
  const storages = [...options.storages];
  const seed = options.seed ?? 1234;
  const kvCacheStorage = options.kvCacheStorage ?? 'float16';
  const runs = options.runs ?? 1;
  const warmupTokens = options.warmupTokens ?? 8;
  if (!Number.isInteger(warmupTokens) || warmupTokens < 0) throw new TypeError(`warmupTokens must be a whole number, got ${options.warmupTokens}`);
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`runs must be a positive integer, got ${options.runs}`);
  const bandwidthBytesPerSecond = options.bandwidthBytesPerSecond ?? 31e9;
  const startedAt = new Date().toISOString();
  const unsupported = storages.find((s) => !BENCH_STORAGES.includes(s));
  if (unsupported !== undefined) throw new UnsupportedSettingError({ setting: 'storage', value: unsupported, supported: BENCH_STORAGES });
  if ((options.shape === undefined) === (options.model === undefined)) throw new TypeError('compareWithNodeLlamaCpp takes either shape or model');
  await loadNodeLlamaCpp(options.importNodeLlamaCpp);
  const encoder = await createGgmlRowEncoder();
  const glm = options.model !== undefined ? await openGlmFolder(options.model) : undefined;
  const folder = options.model !== undefined && glm === undefined ? await openQwen3Folder(options.model) : undefined;
  const shape = glm?.shape ?? folder?.shape ?? (options.shape as DecoderShape);
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'pio-bench-'));
  const fromFolder = folder !== undefined || glm !== undefined;
  const ggufPath = (s: WeightStorage): string =>
    join(directory, fromFolder ? `${shape.name}-${s}.gguf` : `${shape.name}-${shape.layers}l-seed${seed}-w2-${s}.gguf`);
  // the weights are deterministic: files kept in `directory` by an earlier run are reused
  const pending = storages.filter((s) => options.directory === undefined || !existsSync(ggufPath(s)));
  const source = folder ?? (glm === undefined && pending.length > 0 ? randomSource(shape, seed) : undefined);
  try {
    mkdirSync(directory, { recursive: true });
    for (const storage of pending) {
      signal?.throwIfAborted();
      const path = ggufPath(storage);
      options.onProgress?.({ stage: 'writing-gguf', storage, path });
      if (glm) await glm.writeGguf(encoder, path, storage);
      else await writeBenchGguf(encoder, path, shape, source?.tensors ?? [], storage);
    }
    await source?.close();
    const rows: BenchComparisonRow[] = [];
    for (const storage of storages) {
      let prompt = options.model !== undefined ? [] : benchPrompt(promptTokens, shape.vocab);
      const run = (engine: BenchEngine): Promise<BenchEngineResult> => {
        signal?.throwIfAborted();
        options.onProgress?.({ stage: 'running', engine, storage });
        const request: BenchEngineRequest = {
          engine,
          storage,
          shape,
          seed,
          ggufPath: ggufPath(storage),
          prompt,
          promptTokens,
          decodeTokens,
          warmupTokens,
          threads,
          kvCacheStorage,
          ...(options.repackWeights === undefined ? {} : { repackWeights: options.repackWeights }),
          ...(options.replaySteps === undefined ? {} : { replaySteps: options.replaySteps }),
        };
        return options.runEngine(options.model !== undefined ? { ...request, model: options.model } : request, signal);
      };
      const pioRuns: BenchEngineResult[] = [];
      const llamaRuns: BenchEngineResult[] = [];
      for (let r = 0; r < runs; r++) {
        const pio = await run('pio');
        if (prompt.length === 0) {
          if (!pio.prompt?.length) throw new TypeError('runEngine ran PIO on a model folder but reported no prompt');
          prompt = pio.prompt;
        }
        pioRuns.push(pio);
        llamaRuns.push(await run('node-llama-cpp'));
      }
      const pio = medianRun(pioRuns);
      const llama = medianRun(llamaRuns);
      const fileBytes = statSync(ggufPath(storage)).size;
      // a MoE decode step reads the chosen experts only: the bandwidth limit counts those bytes
      const weightBytes = glm ? fileBytes - glm.unreadExpertBytes(encoder, storage) : fileBytes;
      const settings = { promptTokens: prompt.length, bandwidthBytesPerSecond, loadAverage: loadavg(), weightBytes };
      const row = benchComparisonRow(storage, pio, llama, settings);
      rows.push(row);
      options.onProgress?.({ stage: 'row', row });
    }
    const model = options.model !== undefined ? { model: options.model } : {};
    const ranPrompt = rows[0]?.pio.raw.prompt?.length ?? promptTokens;
    const repack = rows[0]?.pio.raw.weightRepack;
    return {
      shape,
      ...model,
      storages,
      threads,
      promptTokens: ranPrompt,
      decodeTokens,
      warmupTokens,
      runs,
      kvCacheStorage,
      bandwidthBytesPerSecond,
      startedAt,
      rows,
      ...(repack === undefined ? {} : { pioWeightRepack: repack }),
    };
  } finally {
    await source?.close();
    if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
  }
}

/** The run with the median decode speed, carrying the median prefill time of all runs. */
function medianRun(results: readonly BenchEngineResult[]): BenchEngineResult {
  const mid = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const decode = results.map((r) => mid(r.decodeMs.length > 0 ? r.decodeMs : [Infinity]));
  const chosen = results[decode.indexOf(mid(decode))];
  return { ...chosen, prefillMs: mid(results.map((r) => r.prefillMs)) };
}

/** Random weights (kept in memory until the GGUF files are written) in the form of a model folder. */
function randomSource(shape: DecoderShape, seed: number): Qwen3Folder {
  let weights = randomWeights(shape, seed);
  const tensors: GgufSourceTensor[] = weights.map((t) => ({ name: t.name, shape: t.shape, matrix: t.matrix, load: () => Promise.resolve(t.values) }));
  return {
    shape,
    tensors,
    close: async () => {
      weights = [];
      tensors.length = 0;
    },
  };
}
