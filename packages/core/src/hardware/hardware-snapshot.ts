/** One NVIDIA GPU as reported by `nvidia-smi`. */
export interface GpuInfo {
  /** Position in `nvidia-smi`'s list (CUDA device index). */
  readonly index: number;
  /** Product name, e.g. `NVIDIA GeForce RTX 4090`. */
  readonly name: string;
  /** Total device memory in bytes. */
  readonly memoryTotalBytes: number;
  /** Free device memory in bytes. */
  readonly memoryFreeBytes: number;
}

/** Whether a TensorFlow.js engine package can be resolved (it is never imported by the analyzer). */
export interface TfjsEngineInfo {
  /** npm package name, e.g. `@tensorflow/tfjs-node`. */
  readonly packageName: string;
  /** True when the package resolves from the analyzer's base folder. */
  readonly installed: boolean;
  /** Installed version, when installed. */
  readonly version?: string;
  /** Folder of the installed package, when installed. */
  readonly path?: string;
}

/** What the machine offers, as plain data (safe to serialize). */
export interface HardwareSnapshot {
  /** `process.platform`, e.g. `linux`. */
  readonly platform: string;
  /** `process.arch`, e.g. `x64`. */
  readonly arch: string;
  /** CPU model and logical core count. */
  readonly cpu: { readonly model: string; readonly cores: number };
  /** Host memory in bytes; `freeBytes` is what the OS reports as available. */
  readonly memory: { readonly totalBytes: number; readonly freeBytes: number };
  /** NVIDIA GPUs (empty when there are none or `nvidia-smi` is missing). */
  readonly gpus: readonly GpuInfo[];
  /** TensorFlow.js engines, in the order a backend would prefer them. */
  readonly engines: readonly TfjsEngineInfo[];
}
