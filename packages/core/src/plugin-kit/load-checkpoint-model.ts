import type { Backend, Weight } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import type { CheckpointWeightSource } from '../weights/checkpoint-weight-source.js';
import { createWeightSource } from '../weights/create-weight-source.js';
import type { LoadProgress } from '../weights/load-progress.js';
import { openCheckpoint } from '../weights/open-checkpoint.js';
import type { WeightLoadReport } from '../weights/weight-load-report.js';
import type { WeightRenameTable } from '../weights/weight-rename-table.js';

/** A model as {@link loadCheckpointModel} builds it: something that frees what it holds. */
export interface DisposableModel {
  /** Frees the model's weights and state. */
  dispose(): void;
}

/** Options of {@link loadCheckpointModel}. */
export interface LoadCheckpointModelOptions {
  /** Checkpoint name → module name rules (the plugin's weight-name table). */
  rename?: WeightRenameTable;
  /** Checkpoint names the model ignores on purpose, given every name in the checkpoint (e.g. an MTP layer). */
  unused?: (names: readonly string[]) => ReadonlyArray<string | RegExp>;
  /** Default storage of `linear` and `embedding` weights the model takes without naming one. */
  storage?: WeightStorage;
  /** Called after each uploaded tensor. */
  onProgress?: (progress: LoadProgress) => void;
  /** Cancels loading; what was uploaded is freed. */
  signal?: AbortSignal;
  /** The path guard every checkpoint file goes through (index, shards); a plugin passes its `validatePath`. */
  validatePath?: (path: string) => Promise<string>;
  /**
   * Keep the checkpoint open after loading, for weights the model reads later (e.g. experts loaded on first use);
   * `close()` of the result closes it. Default false: closed before this resolves.
   */
  keepOpen?: boolean;
}

/** A loaded model, its load report and the checkpoint's closer. */
export interface LoadedCheckpointModel<Model> {
  model: Model;
  /** Missing, unexpected and unused tensors and bytes loaded. */
  report: WeightLoadReport;
  /** Closes the checkpoint files when `keepOpen` kept them open (call after disposing the model); otherwise does nothing. */
  close(): Promise<void>;
}

/**
 * Opens a model folder's safetensors checkpoint and builds a model from its weights: `build` takes them from the
 * source (renamed by `rename`), then every checkpoint tensor must have been used or declared unused (`WeightLoadError`
 * otherwise). The one failed-load rule for plugins: when `build` or the completeness check throws, or `signal`
 * fires, every weight uploaded so far (or the built model) is freed and the checkpoint closed before the error
 * propagates.
 */
export async function loadCheckpointModel<Model extends DisposableModel>(
  backend: Backend,
  modelDir: string,
  options: LoadCheckpointModelOptions,
  build: (weights: CheckpointWeightSource) => Promise<Model>,
): Promise<LoadedCheckpointModel<Model>> {
  const checkpoint = await openCheckpoint(modelDir, options.validatePath ? { validatePath: options.validatePath } : {});
  const taken: Weight[] = [];
  let model: Model | undefined;
  try {
    const source = createWeightSource(backend, checkpoint, {
      ...(options.rename ? { rename: options.rename } : {}),
      ...(options.unused ? { unused: options.unused(checkpoint.names()) } : {}),
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const track = <T extends Weight | undefined>(weight: T): T => {
      if (weight) taken.push(weight);
      return weight;
    };
    // every uploaded weight is tracked, so a failed or aborted build frees what it had loaded
    const tracking: CheckpointWeightSource = {
      checkpoint: source.checkpoint,
      names: () => source.names(),
      info: (name) => source.info(name),
      has: (name) => source.has(name),
      readHost: (name, hostOptions) => source.readHost(name, hostOptions),
      claim: (name, claimOptions) => source.claim(name, claimOptions),
      report: () => source.report(),
      assertComplete: () => source.assertComplete(),
      take: async (name, takeOptions) => track(await source.take(name, takeOptions)),
      takeOptional: async (name, takeOptions) => track(await source.takeOptional(name, takeOptions)),
      upload: async (name, uploadOptions) => track(await source.upload(name, uploadOptions)),
    };
    model = await build(tracking);
    source.assertComplete();
    options.signal?.throwIfAborted();
    const report = source.report();
    if (options.keepOpen) return { model, report, close: () => checkpoint.close() };
    await checkpoint.close();
    return { model, report, close: async () => {} };
  } catch (error) {
    if (model) model.dispose();
    for (const weight of taken) weight.dispose();
    await checkpoint.close();
    throw error;
  }
}
