import type { WeightStorage } from '../backend/weight-storage.js';
import { InsufficientMemoryError } from '../errors/insufficient-memory-error.js';
import { UnsupportedSettingError } from '../errors/unsupported-setting-error.js';
import { formatBytes } from '../hardware/format-bytes.js';
import { fitExpertBudget, withExpertBudget } from './fit-expert-budget.js';
import type { HardwareSnapshot } from '../hardware/hardware-snapshot.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';
import type { BackendCandidate, ChooseSettingsRequest, Device, ModelSettingsChoice, SettingsAlternative } from './model-settings.js';

/** Options of {@link ConfigManager}. */
export interface ConfigManagerOptions {
  /** Bytes of host (or GPU) memory left free for the OS and the rest of the process. Default 512 MiB. */
  reserveBytes?: number;
}

const DEVICE_ORDER: readonly Device[] = ['gpu', 'cpu'];

/** Storage types from most to least precise, for a checkpoint whose half type is `half`. */
function storageOrder(half: 'bfloat16' | 'float16'): WeightStorage[] {
  const other = half === 'bfloat16' ? 'float16' : 'bfloat16';
  return ['float32', half, other, 'int8', 'q8_0', 'int4', 'q4_k', 'q4_0'];
}

/** The option weighed that misses fitting by the fewest bytes (the first on a tie); `alternatives` is not empty. */
function closestToFitting(alternatives: readonly SettingsAlternative[]): SettingsAlternative {
  return alternatives.reduce((best, a) => (a.neededBytes - a.availableBytes < best.neededBytes - best.availableBytes ? a : best));
}

/**
 * Chooses the device and weight storage a model is loaded with, so that it fits.
 *
 * Devices are tried GPU first, then CPU; on each, storage types from the most precise (float32, then the
 * checkpoint's half type, the other half type, int8, int4) among those the backend supports. The first pair whose
 * estimate fits wins. Memory available on a device is its free memory minus a reserve, capped by the backend's
 * `maxBytes` (less what it already holds) and by the global memory limit. A GPU that `nvidia-smi` does not report is
 * measured with host memory. User overrides win, but an override that cannot fit is refused.
 */
export class ConfigManager {
  private readonly reserveBytes: number;

  constructor(options: ConfigManagerOptions = {}) {
    this.reserveBytes = options.reserveBytes ?? 512 * 2 ** 20;
  }

  /**
   * Picks `{ device, storage }` for a model.
   *
   * @throws UnsupportedSettingError when the requested device has no backend, or the requested storage is not
   *   supported by it.
   * @throws InsufficientMemoryError when nothing fits (or the override does not), with the numbers.
   */
  choose(request: ChooseSettingsRequest): ModelSettingsChoice {
    const backends = this.orderBackends(request);
    const alternatives: SettingsAlternative[] = [];
    for (const backend of backends) {
      const device = backend.capabilities.device;
      const { availableBytes, limitedBy } = this.available(backend, request.hardware, request.memoryLimitBytes);
      for (const storage of this.storages(backend, request)) {
        const estimate = request.estimates.find((e) => e.storage === storage);
        if (estimate === undefined) continue;
        const neededBytes = estimate.totalBytes;
        alternatives.push({ device, storage, neededBytes, availableBytes, limitedBy, fits: neededBytes <= availableBytes });
      }
    }
    const chosen = alternatives.find((a) => a.fits);
    if (chosen === undefined) {
      const offloaded = request.chooseExpertBudget ? this.chooseBudget(request, alternatives) : undefined;
      if (offloaded) return offloaded;
      throw this.refuse(request, alternatives);
    }
    const estimate = request.estimates.find((e) => e.storage === chosen.storage)!;
    return {
      device: chosen.device,
      storage: chosen.storage,
      estimate,
      availableBytes: chosen.availableBytes,
      reason: this.explain(request, chosen, alternatives),
      alternatives,
    };
  }

  /**
   * Nothing fits with every routed expert resident: the option that keeps the most resident per MoE layer (the first
   * in preference order on a tie), or undefined when no option fits even its fewest.
   */
  private chooseBudget(request: ChooseSettingsRequest, alternatives: readonly SettingsAlternative[]): ModelSettingsChoice | undefined {
    let best: { alternative: SettingsAlternative; estimate: MemoryEstimate; budget: number } | undefined;
    for (const alternative of alternatives) {
      const estimate = request.estimates.find((e) => e.storage === alternative.storage)!;
      const budget = fitExpertBudget(estimate, alternative.availableBytes);
      if (budget !== undefined && (best === undefined || budget > best.budget)) best = { alternative, estimate, budget };
    }
    if (best === undefined) return undefined;
    const { alternative, budget } = best;
    const estimate = withExpertBudget(best.estimate, budget);
    const experts = estimate.experts!;
    const all = closestToFitting(alternatives);
    return {
      device: alternative.device,
      storage: alternative.storage,
      estimate,
      expertBudget: budget,
      availableBytes: alternative.availableBytes,
      reason:
        `${alternative.storage} on ${alternative.device} with ${budget} of ${experts.perLayer} routed experts resident per MoE layer ` +
        `(the others are read from the model files when a token needs them): the model needs ${formatBytes(estimate.totalBytes)} of ` +
        `${formatBytes(alternative.availableBytes)} available (${alternative.limitedBy}). With every expert resident nothing fits ` +
        `(${all.storage} on ${all.device} needs ${formatBytes(all.neededBytes)}).`,
      alternatives,
    };
  }

  private orderBackends(request: ChooseSettingsRequest): BackendCandidate[] {
    const ordered = [...request.backends].sort((a, b) => DEVICE_ORDER.indexOf(a.capabilities.device) - DEVICE_ORDER.indexOf(b.capabilities.device));
    if (request.device === undefined) return ordered;
    const matching = ordered.filter((b) => b.capabilities.device === request.device);
    if (matching.length === 0) {
      throw new UnsupportedSettingError({
        setting: 'device',
        value: request.device,
        supported: ordered.map((b) => b.capabilities.device),
      });
    }
    return matching;
  }

  private storages(backend: BackendCandidate, request: ChooseSettingsRequest): WeightStorage[] {
    const supported = backend.capabilities.weightStorage;
    if (request.storage !== undefined) {
      if (!supported.includes(request.storage)) {
        throw new UnsupportedSettingError({ setting: 'storage', value: request.storage, supported });
      }
      return [request.storage];
    }
    return storageOrder(request.preferredHalf ?? 'bfloat16').filter((s) => supported.includes(s));
  }

  private available(
    backend: BackendCandidate,
    hardware: HardwareSnapshot,
    memoryLimitBytes: number | undefined,
  ): { availableBytes: number; limitedBy: string } {
    const reserve = formatBytes(this.reserveBytes);
    let availableBytes: number;
    let limitedBy: string;
    if (backend.capabilities.device === 'gpu' && hardware.gpus.length > 0) {
      const gpu = hardware.gpus.reduce((best, g) => (g.memoryFreeBytes > best.memoryFreeBytes ? g : best));
      availableBytes = gpu.memoryFreeBytes - this.reserveBytes;
      limitedBy = `free memory of GPU ${gpu.index} (${gpu.name}) less a ${reserve} reserve`;
    } else {
      availableBytes = hardware.memory.freeBytes - this.reserveBytes;
      limitedBy = `free host memory less a ${reserve} reserve`;
    }
    const { maxBytes } = backend.capabilities;
    if (maxBytes !== undefined && maxBytes - (backend.allocatedBytes ?? 0) < availableBytes) {
      availableBytes = maxBytes - (backend.allocatedBytes ?? 0);
      limitedBy = `the backend's limit of ${formatBytes(maxBytes)}` + (backend.allocatedBytes ? ` (${formatBytes(backend.allocatedBytes)} in use)` : '');
    }
    if (memoryLimitBytes !== undefined && memoryLimitBytes < availableBytes) {
      availableBytes = memoryLimitBytes;
      limitedBy = 'limits.memoryBytes';
    }
    return { availableBytes: Math.max(0, availableBytes), limitedBy };
  }

  private refuse(request: ChooseSettingsRequest, alternatives: readonly SettingsAlternative[]): Error {
    if (alternatives.length === 0) {
      const supported = [...new Set(request.backends.flatMap((b) => b.capabilities.weightStorage))];
      return new UnsupportedSettingError({
        setting: 'storage',
        value: request.storage ?? request.estimates.map((e) => e.storage).join('/'),
        supported,
      });
    }
    // Report the least demanding option weighed: if even that does not fit, nothing does.
    const smallest = closestToFitting(alternatives);
    const override = request.storage !== undefined || request.device !== undefined;
    const suggestion = override
      ? 'Drop the device/storage override to let PIO pick one that fits, free memory, or use a smaller model.'
      : 'No supported weight storage fits; free memory, raise the limit, or use a smaller model.';
    return new InsufficientMemoryError({
      neededBytes: smallest.neededBytes,
      availableBytes: smallest.availableBytes,
      device: smallest.device,
      storage: smallest.storage,
      limitedBy: smallest.limitedBy,
      suggestion,
    });
  }

  private explain(request: ChooseSettingsRequest, chosen: SettingsAlternative, alternatives: readonly SettingsAlternative[]): string {
    const fits = `needs ${formatBytes(chosen.neededBytes)} of ${formatBytes(chosen.availableBytes)} available (${chosen.limitedBy})`;
    if (request.storage !== undefined || request.device !== undefined) {
      return `${chosen.storage} on ${chosen.device} as requested: the model ${fits}.`;
    }
    const before = alternatives.slice(0, alternatives.indexOf(chosen));
    if (before.length === 0) return `${chosen.storage} on ${chosen.device}, the most precise option: the model ${fits}.`;
    const rejected = before.map((a) => `${a.storage} on ${a.device} needs ${formatBytes(a.neededBytes)} of ${formatBytes(a.availableBytes)}`).join('; ');
    return `${chosen.storage} on ${chosen.device}: the model ${fits}. More precise options do not fit (${rejected}).`;
  }
}
