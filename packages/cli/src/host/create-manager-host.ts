import type { Device, PluginManager, SequenceBufferStorage, WeightStorage } from '@pio/core';
import { isTextModelPlugin } from '@pio/core';
import { resolveModelPath } from '@pio/core/weights';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import { NoPluginForModelError } from '../errors/no-plugin-for-model-error.js';
import { NotATextModelError } from '../errors/not-a-text-model-error.js';
import type { HostedModel, HostedPluginSummary, ModelHost, RegisterModelRequest } from './model-host.js';
import { summarizePlugin } from './summarize-plugin.js';
import { managerModelHost } from './manager-model-host.js';

/** Options of {@link createManagerHost}. */
export interface ManagerHostOptions {
  /** The plugin manager that loads the models (the host disposes it on `close`). */
  manager: PluginManager;
  /** Device override for every model. */
  device?: Device;
  /** Weight storage override for every model. */
  storage?: WeightStorage;
  /** KV cache element type for every model. */
  kvCacheStorage?: SequenceBufferStorage;
  /** Context length every model is loaded with (default: each model's own, see `resolveContextLength`). */
  contextLength?: number;
  /** Routed experts resident per MoE layer for every mixture-of-experts model (default: all). */
  expertBudget?: number;
}

/**
 * A {@link ModelHost} over a PIO `PluginManager`. A model is found in a folder, the `PIO_MODELS_DIR` or the
 * Hugging Face cache (`resolveModelPath`), matched to a plugin by its config.json (or the plugin named), and
 * activated in the manager under its model id: a plugin serves as many models as are registered, each on its own
 * instance.
 */
export function createManagerHost(options: ManagerHostOptions): ModelHost {
  const { manager } = options;
  const models = new Map<string, HostedModel>();
  let discovered: Promise<unknown> | undefined;
  /** Registrations run one at a time (an id is checked and taken atomically). */
  let registering: Promise<unknown> = Promise.resolve();
  const discover = (): Promise<unknown> => (discovered ??= manager.discoverPlugins());

  const register = async (request: RegisterModelRequest): Promise<HostedModel> => {
    if (models.has(request.modelId)) throw new ModelAlreadyRegisteredError(request.modelId);
    await discover();
    const { path } = await resolveModelPath(request.source);
    let pluginName = request.pluginId;
    if (pluginName === undefined) {
      const found = await manager.findPluginForModel(path);
      if (!found) throw new NoPluginForModelError({ modelPath: path, installed: manager.listPlugins().map((p) => p.name) });
      pluginName = found.name;
    }
    const plugin = await manager.activatePlugin(pluginName, {
      modelPath: path,
      modelId: request.modelId,
      ...(options.device === undefined ? {} : { device: options.device }),
      ...(options.storage === undefined ? {} : { storage: options.storage }),
      ...(options.kvCacheStorage === undefined ? {} : { kvCacheStorage: options.kvCacheStorage }),
      ...(options.contextLength === undefined ? {} : { contextLength: options.contextLength }),
      ...(options.expertBudget === undefined ? {} : { expertBudget: options.expertBudget }),
      ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    if (!isTextModelPlugin(plugin)) {
      await manager.deactivatePlugin(request.modelId);
      throw new NotATextModelError(pluginName);
    }
    const settings = manager.listModels().find((m) => m.id === request.modelId)?.settings;
    const runtime = settings === undefined ? undefined : { device: settings.device, storage: settings.storage };
    const model: HostedModel = {
      id: request.modelId,
      pluginName,
      source: request.source,
      created: Math.floor(Date.now() / 1000),
      plugin,
      ...(runtime ? { runtime } : {}),
    };
    models.set(request.modelId, model);
    return model;
  };

  return {
    ...managerModelHost(manager, (id) => (models.has(id) ? id : undefined)),
    listModels: () => [...models.values()],
    getModel: (id) => models.get(id),

    registerModel(request: RegisterModelRequest) {
      const next = registering.then(() => register(request));
      registering = next.catch(() => undefined);
      return next;
    },

    async unregisterModel(id) {
      if (!models.delete(id)) return false;
      await manager.deactivatePlugin(id);
      return true;
    },

    async listPlugins(): Promise<readonly HostedPluginSummary[]> {
      await discover();
      return manager.listPlugins().map(summarizePlugin);
    },

    async close() {
      models.clear();
      await manager.dispose();
    },
  };
}
