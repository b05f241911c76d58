import type { Device, ModelPluginInterface, PluginManager, SequenceBufferStorage, WeightStorage } from '@pio/core';
import { isTextModelPlugin, loadPluginFactory, readPluginPackage } from '@pio/core';
import { resolveModelPath } from '@pio/core/weights';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import { NoPluginForModelError } from '../errors/no-plugin-for-model-error.js';
import { NotATextModelError } from '../errors/not-a-text-model-error.js';
import type { HostedModel, HostedPluginSummary, ModelHost, RegisterModelRequest } from './model-host.js';
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
}

interface Entry {
  model: HostedModel;
  /** Name the plugin is registered under in the manager (an alias when one plugin serves several models). */
  managerName: string;
}

/**
 * A {@link ModelHost} over a PIO `PluginManager`. A model is found in a folder, the `PIO_MODELS_DIR` or the
 * Hugging Face cache (`resolveModelPath`), matched to a plugin by its config.json (or the plugin named), and
 * activated. A manager activates a plugin for one model at a time, so a second model of the same plugin is
 * served by the same package registered again under an alias (`qwen3-vl#2`).
 */
export function createManagerHost(options: ManagerHostOptions): ModelHost {
  const { manager } = options;
  const entries = new Map<string, Entry>();
  let discovered: Promise<unknown> | undefined;
  /** Registrations run one at a time (choosing a plugin alias must not race). */
  let registering: Promise<unknown> = Promise.resolve();
  const discover = (): Promise<unknown> => (discovered ??= manager.discoverPlugins());

  const aliasFor = async (pluginName: string): Promise<string> => {
    const plugins = manager.listPlugins();
    const base = plugins.find((p) => p.name === pluginName);
    if (!base || base.state === 'inactive') return pluginName;
    for (let n = 2; ; n++) {
      const alias = `${pluginName}-${n}`;
      const existing = plugins.find((p) => p.name === alias);
      if (existing?.state === 'inactive') return alias;
      if (existing) continue;
      if (!base.packageDir) throw new ModelAlreadyRegisteredError(`${pluginName} (already serving ${base.modelPath ?? 'a model'})`);
      const pkg = await readPluginPackage(base.packageDir);
      if (!pkg) return pluginName;
      const factory = await loadPluginFactory(pkg);
      const aliased = async (): Promise<ModelPluginInterface> => renamed(await factory(), alias);
      const { homepage, ...metadata } = base;
      await manager.registerPlugin(
        aliased,
        {
          name: alias,
          version: metadata.version,
          description: metadata.description,
          architectures: metadata.architectures,
          modelTypes: metadata.modelTypes,
          modalities: metadata.modalities,
          license: metadata.license,
          requiredTrust: metadata.requiredTrust as 'sandboxed',
          ...(homepage === undefined ? {} : { homepage }),
        },
        pkg.packageName ? { packageName: pkg.packageName } : {},
      );
      return alias;
    }
  };

  const register = async (request: RegisterModelRequest): Promise<HostedModel> => {
    if (entries.has(request.modelId)) throw new ModelAlreadyRegisteredError(request.modelId);
    await discover();
    const { path } = await resolveModelPath(request.source);
    let pluginName = request.pluginId;
    if (pluginName === undefined) {
      const found = await manager.findPluginForModel(path);
      if (!found) throw new NoPluginForModelError({ modelPath: path, installed: manager.listPlugins().map((p) => p.name) });
      pluginName = found.name;
    }
    const managerName = await aliasFor(pluginName);
    const plugin = await manager.activatePlugin(managerName, {
      modelPath: path,
      ...(options.device === undefined ? {} : { device: options.device }),
      ...(options.storage === undefined ? {} : { storage: options.storage }),
      ...(options.kvCacheStorage === undefined ? {} : { kvCacheStorage: options.kvCacheStorage }),
      ...(options.contextLength === undefined ? {} : { contextLength: options.contextLength }),
      ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    if (!isTextModelPlugin(plugin)) {
      await manager.deactivatePlugin(managerName);
      throw new NotATextModelError(pluginName);
    }
    if (entries.has(request.modelId)) {
      await manager.deactivatePlugin(managerName);
      throw new ModelAlreadyRegisteredError(request.modelId);
    }
    const settings = manager.listPlugins().find((p) => p.name === managerName)?.settings;
    const runtime = settings === undefined ? undefined : { device: settings.device, storage: settings.storage };
    const model: HostedModel = { id: request.modelId, pluginName, source: request.source, created: Math.floor(Date.now() / 1000), plugin, ...(runtime ? { runtime } : {}) };
    entries.set(request.modelId, { model, managerName });
    return model;
  };

  return {
    ...managerModelHost(manager, (id) => entries.get(id)?.managerName),
    listModels: () => [...entries.values()].map((entry) => entry.model),
    getModel: (id) => entries.get(id)?.model,

    registerModel(request: RegisterModelRequest) {
      const next = registering.then(() => register(request));
      registering = next.catch(() => undefined);
      return next;
    },

    async unregisterModel(id) {
      const entry = entries.get(id);
      if (!entry) return false;
      entries.delete(id);
      await manager.deactivatePlugin(entry.managerName);
      return true;
    },

    async listPlugins(): Promise<readonly HostedPluginSummary[]> {
      await discover();
      const aliases = new Set([...entries.values()].map((e) => e.managerName).filter((name) => /-\d+$/.test(name)));
      return manager
        .listPlugins()
        .filter((p) => !aliases.has(p.name))
        .map((p) => ({
          name: p.name,
          version: p.version,
          description: p.description,
          architectures: p.architectures,
          modelTypes: p.modelTypes,
          modalities: p.modalities,
          ...(p.packageName === undefined ? {} : { packageName: p.packageName }),
        }));
    },

    async close() {
      entries.clear();
      await manager.dispose();
    },
  };
}

/** `plugin` under another name: its metadata carries `name`; every other member is the plugin's own, bound to it. */
function renamed(plugin: ModelPluginInterface, name: string): ModelPluginInterface {
  const metadata = { ...plugin.metadata, name };
  return new Proxy(plugin, {
    get(target, property) {
      if (property === 'metadata') return metadata;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
