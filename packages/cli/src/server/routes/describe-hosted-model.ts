import type { HostedModel } from '../../host/model-host.js';

/** A hosted model as the registry endpoints show it: `{ id, plugin, path, created }`. */
export function describeHostedModel(model: HostedModel): Record<string, unknown> {
  return { id: model.id, plugin: model.pluginName, path: model.source, created: model.created };
}
