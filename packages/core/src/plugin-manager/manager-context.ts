import type { Backend } from '../backend/backend.js';
import type { ConfigManager } from '../config/config-manager.js';
import type { Device } from '../config/model-settings.js';
import type { HardwareAnalyzer } from '../hardware/hardware-analyzer.js';
import type { TrustLevel } from '../plugin/trust-level.js';
import type { TrustPolicy } from '../security/trust-policy.js';
import type { ExecutionLimits } from './execution-limits.js';
import type { PluginEntry } from './plugin-entry.js';
import type { ExecutionQueue } from './execution-queue.js';

/** What activation and execution need from their manager (internal). */
export interface ManagerContext {
  readonly policy: TrustPolicy;
  readonly limits: ExecutionLimits;
  readonly analyzer: HardwareAnalyzer;
  readonly configManager: ConfigManager;
  /** The one queue every execution and generation waits in. */
  readonly queue: ExecutionQueue;
  readonly preferSourceEntries: boolean;
  /** The level of a registered plugin under the policy. */
  trustLevelOf(entry: PluginEntry): TrustLevel;
  /** The `fetch` a plugin at a trust level receives. */
  fetchFor(level: TrustLevel): typeof fetch;
  /** `validatePath` for a trust level. */
  validatorFor(level: TrustLevel): (path: string) => Promise<string>;
  /** Backends to weigh, best device first (`device` restricts to one). */
  backendsFor(pluginName: string, device: Device | undefined, hasGpu: boolean): Promise<Backend[]>;
}
