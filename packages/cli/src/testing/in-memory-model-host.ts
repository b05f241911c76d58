import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPluginManager,
  PioError,
  type ExecutionLimitsInput,
  type ModelPluginInterface,
  type PluginManager,
  type TextModelPluginInterface,
} from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import type { HostedModel, HostedPluginSummary, ModelHost, RegisterModelRequest } from '../host/model-host.js';
import { managerModelHost } from '../host/manager-model-host.js';

/** The echo model folder every in-memory model is activated with (its config.json has `model_type: echo`). */
const ECHO_MODEL = join(dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', 'echo-model');

/** Options of {@link InMemoryModelHost}. */
export interface InMemoryModelHostOptions {
  /** The manager's limits (queue, concurrency, batching, max tokens, timeouts). Default: `pio serve`'s (1 running, 64 waiting, batches of 8). */
  limits?: ExecutionLimitsInput;
}

/**
 * A {@link ModelHost} for tests: plugins come from factories keyed by name; registering a model creates a plugin
 * instance (a path of `missing` fails as a bad path would). The instances run in a real `PluginManager` (on core's
 * reference backend), so requests go through the manager's queue and limits as in `pio serve`.
 */
export class InMemoryModelHost implements ModelHost {
  private readonly models = new Map<string, { model: HostedModel; managerName: string }>();
  private readonly manager: PluginManager;
  private readonly hosted: ReturnType<typeof managerModelHost>;
  private count = 0;
  closed = false;
  /**
   * Generations whose stream has been read for the first time: each is in the manager's queue (or running) from that
   * read on, so a test waits on this count, not on a fixed time, before it relies on what is queued.
   */
  streamsStarted = 0;

  constructor(
    private readonly factories: Record<string, () => TextModelPluginInterface>,
    options: InMemoryModelHostOptions = {},
  ) {
    this.manager = createPluginManager({
      backend: createReferenceBackend(),
      allowedRoots: [ECHO_MODEL],
      cwd: ECHO_MODEL,
      hardware: {
        analyze: async () => ({
          platform: 'linux',
          arch: 'x64',
          cpu: { model: 'test', cores: 2 },
          memory: { totalBytes: 2 ** 34, freeBytes: 2 ** 33 },
          gpus: [],
          engines: [],
        }),
      },
      limits: { maxConcurrentExecutions: 1, maxQueuedExecutions: 64, maxBatchSize: 8, ...options.limits },
    });
    this.hosted = managerModelHost(this.manager, (id) => this.models.get(id)?.managerName);
  }

  /** Serves a ready plugin instance under `id`. */
  async add(id: string, plugin: TextModelPluginInterface, pluginName = plugin.metadata.name, source = `memory:${id}`): Promise<HostedModel> {
    if (this.models.has(id)) throw new ModelAlreadyRegisteredError(id);
    const managerName = `model-${++this.count}`;
    await this.manager.registerPlugin(renamed(plugin, managerName));
    await this.manager.activatePlugin(managerName, { modelPath: ECHO_MODEL, modelId: managerName });
    const model: HostedModel = { id, pluginName, source, created: 1_700_000_000, plugin };
    this.models.set(id, { model, managerName });
    return model;
  }

  listModels(): readonly HostedModel[] {
    return [...this.models.values()].map((entry) => entry.model);
  }
  getModel(id: string): HostedModel | undefined {
    return this.models.get(id)?.model;
  }
  async registerModel(request: RegisterModelRequest): Promise<HostedModel> {
    if (this.models.has(request.modelId)) throw new ModelAlreadyRegisteredError(request.modelId);
    const name = request.pluginId ?? Object.keys(this.factories)[0];
    const factory = name === undefined ? undefined : this.factories[name];
    if (!factory || request.source === 'missing') throw new PioError('PIO_PLUGIN_NOT_FOUND', `No plugin can load '${request.source}' with '${name}'.`);
    return this.add(request.modelId, factory(), name, request.source);
  }
  async unregisterModel(id: string): Promise<boolean> {
    const entry = this.models.get(id);
    if (!entry) return false;
    this.models.delete(id);
    await this.manager.deactivatePlugin(entry.managerName);
    return true;
  }
  streamGeneration: ModelHost['streamGeneration'] = (id, request, options) => {
    const stream = this.hosted.streamGeneration(id, request, options);
    return {
      [Symbol.asyncIterator]: () => {
        const iterator = stream[Symbol.asyncIterator]();
        let first = true;
        return {
          next: () => {
            if (first) this.streamsStarted += 1;
            first = false;
            return iterator.next();
          },
          return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
        };
      },
    };
  };
  generateText: ModelHost['generateText'] = (id, prompt, options) => this.hosted.generateText(id, prompt, options);
  async listPlugins(): Promise<readonly HostedPluginSummary[]> {
    return Object.values(this.factories).map((factory) => {
      const { metadata } = factory();
      return { ...metadata, packageName: `pio-plugin-${metadata.name}` };
    });
  }
  async close(): Promise<void> {
    this.closed = true;
    this.models.clear();
    await this.manager.dispose();
  }
}

/** `plugin` under another name (the manager keys plugins by name): every other member is the plugin's own, bound to it. */
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
