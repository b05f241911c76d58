import type { BackendCapabilities } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import type { HardwareSnapshot } from '../hardware/hardware-snapshot.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';

/** A device a model can be placed on. */
export type Device = 'cpu' | 'gpu';

/** A backend the model could run on, with what it already holds. */
export interface BackendCandidate {
  /** The backend's capabilities (its `device`, supported `weightStorage`, `maxBytes`). */
  readonly capabilities: BackendCapabilities;
  /** Bytes the backend already holds (`backend.memory().bytes`); counted against `maxBytes`. Default 0. */
  readonly allocatedBytes?: number;
}

/** Input of {@link ConfigManager.choose}. */
export interface ChooseSettingsRequest {
  /** The plugin's memory estimates, one per storage type (from `estimateMemory(config, storage)`). */
  readonly estimates: readonly MemoryEstimate[];
  /** The machine. */
  readonly hardware: HardwareSnapshot;
  /** Backends available, one per device. */
  readonly backends: readonly BackendCandidate[];
  /** Device asked for by the user (wins when the model fits). */
  readonly device?: Device;
  /** Weight storage asked for by the user (wins when the model fits). */
  readonly storage?: WeightStorage;
  /** The checkpoint's half type (`config.json` dtype); tried before the other half type. Default `bfloat16`. */
  readonly preferredHalf?: 'bfloat16' | 'float16';
  /** Global cap on a model's memory (the manager's `limits.memoryBytes`). */
  readonly memoryLimitBytes?: number;
  /**
   * Mixture-of-experts models whose estimates were made with every routed expert resident (no budget asked for):
   * when no option fits, choose the storage that keeps the most experts resident per MoE layer and load it with that
   * budget ({@link ModelSettingsChoice.expertBudget}); the others are read from the model files on demand. Default false.
   */
  readonly chooseExpertBudget?: boolean;
}

/** One (device, storage) pair the {@link ConfigManager} weighed. */
export interface SettingsAlternative {
  readonly device: Device;
  readonly storage: WeightStorage;
  /** Bytes the model needs with this storage. */
  readonly neededBytes: number;
  /** Bytes available on the device. */
  readonly availableBytes: number;
  /** What limits `availableBytes`. */
  readonly limitedBy: string;
  /** `neededBytes <= availableBytes`. */
  readonly fits: boolean;
}

/** The {@link ConfigManager}'s choice. */
export interface ModelSettingsChoice {
  readonly device: Device;
  readonly storage: WeightStorage;
  /** The estimate for the chosen storage (with {@link ModelSettingsChoice.expertBudget} experts resident, when set). */
  readonly estimate: MemoryEstimate;
  /**
   * Routed experts per MoE layer to keep resident (`LoadModelOptions.expertBudget`), when the manager chose a budget
   * because the model did not fit with all of them (see {@link ChooseSettingsRequest.chooseExpertBudget}).
   */
  readonly expertBudget?: number;
  /** Bytes available on the chosen device. */
  readonly availableBytes: number;
  /** Why this was chosen, in a sentence or two. */
  readonly reason: string;
  /** Every pair weighed, in preference order (the chosen one included). */
  readonly alternatives: readonly SettingsAlternative[];
}
