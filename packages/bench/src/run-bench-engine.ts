import type { BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';
import type { NodeLlamaCppImporter } from './load-node-llama-cpp.js';
import { runLlamaEngine } from './run-llama-engine.js';
import { runPioEngine } from './run-pio-engine.js';

/** Options of {@link runBenchEngine}. */
export interface RunBenchEngineOptions {
  /** Imports node-llama-cpp; default: resolved from `@pio/bench`, which has it as a development dependency. */
  importNodeLlamaCpp?: NodeLlamaCppImporter;
}

/**
 * Runs one engine of the side-by-side benchmark in this process: what a benchmark child process does with the
 * {@link BenchEngineRequest} it was given (see {@link spawnBenchChild}). A missing node-llama-cpp is a
 * {@link NodeLlamaCppMissingError}. PIO on a model folder (`request.model`) runs the model's plugin, which is the
 * caller's part: this function refuses it.
 */
export async function runBenchEngine(request: BenchEngineRequest, options: RunBenchEngineOptions = {}): Promise<BenchEngineResult> {
  if (request.engine === 'pio' && request.model !== undefined)
    throw new TypeError('runBenchEngine runs PIO on random weights only; run a model folder through its plugin');
  return request.engine === 'pio' ? runPioEngine(request) : runLlamaEngine(request, options.importNodeLlamaCpp);
}
