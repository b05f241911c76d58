import { PioError, type TextModelPluginInterface } from '@pio/core';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import type { HostedModel, HostedPluginSummary, ModelHost, RegisterModelRequest } from '../host/model-host.js';

/**
 * A {@link ModelHost} for tests: plugins come from factories keyed by name; registering a model
 * creates a plugin instance (a path of `missing` fails as a bad path would).
 */
export class InMemoryModelHost implements ModelHost {
  private readonly models = new Map<string, HostedModel>();
  closed = false;

  constructor(private readonly factories: Record<string, () => TextModelPluginInterface>) {}

  /** Serves a ready plugin instance under `id`. */
  add(id: string, plugin: TextModelPluginInterface): HostedModel {
    const model: HostedModel = { id, pluginName: plugin.metadata.name, source: `memory:${id}`, created: 1_700_000_000, plugin };
    this.models.set(id, model);
    return model;
  }

  listModels(): readonly HostedModel[] {
    return [...this.models.values()];
  }
  getModel(id: string): HostedModel | undefined {
    return this.models.get(id);
  }
  async registerModel(request: RegisterModelRequest): Promise<HostedModel> {
    if (this.models.has(request.modelId)) throw new ModelAlreadyRegisteredError(request.modelId);
    const name = request.pluginId ?? Object.keys(this.factories)[0];
    const factory = name === undefined ? undefined : this.factories[name];
    if (!factory || request.source === 'missing') throw new PioError('PIO_PLUGIN_NOT_FOUND', `No plugin can load '${request.source}' with '${name}'.`);
    const model: HostedModel = { id: request.modelId, pluginName: name!, source: request.source, created: 1_700_000_000, plugin: factory() };
    this.models.set(model.id, model);
    return model;
  }
  async unregisterModel(id: string): Promise<boolean> {
    const model = this.models.get(id);
    if (!model) return false;
    this.models.delete(id);
    await model.plugin.cleanup();
    return true;
  }
  async listPlugins(): Promise<readonly HostedPluginSummary[]> {
    return Object.values(this.factories).map((factory) => {
      const { metadata } = factory();
      return { ...metadata, packageName: `pio-plugin-${metadata.name}` };
    });
  }
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.models.keys()]) await this.unregisterModel(id);
  }
}
