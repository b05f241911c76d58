import type { PluginInfo } from '@pio/core';
import type { HostedPluginSummary } from './model-host.js';

/** What the CLI shows of a plugin the manager knows (`pio list`, `GET /plugins`). */
export function summarizePlugin(p: PluginInfo): HostedPluginSummary {
  return {
    name: p.name,
    version: p.version,
    description: p.description,
    architectures: p.architectures,
    modelTypes: p.modelTypes,
    modalities: p.modalities,
    ...(p.packageName === undefined ? {} : { packageName: p.packageName }),
  };
}
