import type { ExecutionLimitsInput, MemoryEstimate } from '@pio/core';
import type { HostedPluginSummary, HostedRuntime, ModelHost } from '../host/model-host.js';
import type { LocalModelFolder } from './scan-local-models.js';

/** An installed plugin, as `pio list` shows it. */
export interface PluginListing extends HostedPluginSummary {
  /** Trust level under the CLI's policy. */
  readonly trustLevel?: string;
}

/** What `pio info` shows about a model. */
export interface ModelDescription {
  /** The folder or Hub id given. */
  readonly source: string;
  /** The resolved model folder. */
  readonly path: string;
  /** The plugin that serves it, if one does. */
  readonly plugin?: { readonly name: string; readonly version: string; readonly packageName?: string };
  readonly architecture?: string;
  readonly modelType?: string;
  /** Selected config.json fields as label/value pairs. */
  readonly summary: ReadonlyArray<readonly [string, string]>;
  /** Parameter count (from the plugin's estimate). */
  readonly parameters?: number;
  /** Memory per weight storage type the plugin estimates. */
  readonly estimates: readonly MemoryEstimate[];
  /** Whether this host can run it: the chosen device/storage and the backend that would run it (with why), or why not. */
  readonly fit:
    | {
        readonly ok: true;
        readonly device: string;
        readonly storage: string;
        readonly reason: string;
        /**
         * Mixture-of-experts models that do not fit whole (and no budget was given): the routed experts per MoE layer
         * that loading keeps resident, the others read from the model files on demand.
         */
        readonly expertBudget?: number;
        /** Why this backend runs it, e.g. `ggml (ggml-cpu, 2 threads): the native ggml build loaded`. */
        readonly backend?: string;
        /** What would run it: backend, engine, threads, device and weight storage (as the load line names them). */
        readonly runtime?: HostedRuntime;
      }
    | { readonly ok: false; readonly reason: string };
}

/** A model folder on this machine, as `pio models` shows it. */
export interface LocalModelListing extends LocalModelFolder {
  /** The installed plugin that serves it (by its config.json), or `null` when none does. */
  readonly plugin: { readonly name: string; readonly version: string; readonly packageName?: string } | null;
  /** Why no plugin could be asked (e.g. an unreadable or invalid config.json). */
  readonly problem?: string;
}

/** What `pio models` lists. */
export interface LocalModelList {
  readonly models: readonly LocalModelListing[];
  /** Bytes of all listed models, each file (a Hub-cache blob shared by two snapshots) counted once. */
  readonly totalBytes: number;
  /** The folders looked in: `PIO_MODELS_DIR` (when set) and the Hugging Face hub cache. */
  readonly searched: readonly string[];
}

/** A machine report for `pio doctor`. */
export interface DoctorReport {
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly memory: { readonly totalBytes: number; readonly freeBytes: number };
  readonly gpus: ReadonlyArray<{ readonly index: number; readonly name: string; readonly memoryTotalBytes: number; readonly memoryFreeBytes: number }>;
  readonly engines: ReadonlyArray<{ readonly packageName: string; readonly installed: boolean; readonly version?: string }>;
}

/** Download progress, as `pio pull` draws it. */
export interface PullProgress {
  readonly type: 'file-start' | 'progress' | 'retry' | 'file-done';
  readonly file: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly resumedFrom?: number;
  readonly cached?: boolean;
}

/** Options of {@link CliServices.createHost}. */
export interface HostOptions {
  /** Device override (`cpu`, `gpu`). */
  readonly device?: string;
  /** Weight storage override. */
  readonly storage?: string;
  /** KV cache element type (`float32` or `float16`). */
  readonly kvCache?: string;
  /** Backend: auto (default), ggml, tfjs or reference (`--backend`; `PIO_BACKEND` otherwise). */
  readonly backend?: string;
  /** CPU threads for the ggml backend (`--threads`). */
  readonly threads?: number;
  /** Longest context (prompt + answer) in tokens (`--context-size`). */
  readonly contextSize?: number;
  /** Routed experts resident per MoE layer (`--expert-budget`; mixture-of-experts models). */
  readonly expertBudget?: number;
  /** Folders model paths may lie in, besides the working folder and `PIO_MODELS_DIR` (the folders named on the command line). */
  readonly modelRoots?: readonly string[];
  /** The plugin manager's limits (queue, concurrency, batching, max tokens, timeouts); `pio serve` sets them from its flags. */
  readonly limits?: ExecutionLimitsInput;
  /** Let plugins' outgoing requests reach loopback, private and link-local addresses (refused by default). */
  readonly allowPrivateNetwork?: boolean;
}

/**
 * Everything the commands need from PIO, behind one seam so commands can be tested with fakes. The
 * default implementation (`createDefaultServices`) wires the plugin manager, the TensorFlow.js
 * backend, the hardware analyzer and the Hub downloader.
 */
export interface CliServices {
  /** Installed plugins (found by the `pio-plugin` keyword), and packages refused with why. */
  listPlugins(): Promise<{ plugins: readonly PluginListing[]; problems: readonly string[] }>;
  /** The model folders on this machine (`PIO_MODELS_DIR`, the Hugging Face cache), with size and serving plugin. */
  listLocalModels(): Promise<LocalModelList>;
  /** Describes a model folder or Hub id. */
  describeModel(source: string, options?: { expertBudget?: number }): Promise<ModelDescription>;
  /** Describes this machine. */
  analyzeHardware(): Promise<DoctorReport>;
  /** Whether a model folder or Hub id is on this machine (a folder, or in `PIO_MODELS_DIR` / the Hugging Face cache). */
  hasModel(source: string): Promise<boolean>;
  /** Downloads a Hub repository into the Hugging Face cache (resuming); returns the snapshot folder. */
  downloadModel(repoId: string, options: { revision?: string; onProgress?: (progress: PullProgress) => void; signal?: AbortSignal }): Promise<{ path: string }>;
  /** A model host that loads models with the installed plugins. */
  createHost(options: HostOptions): ModelHost;
}
