import { basename, isAbsolute, resolve, sep } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { ConfigManager } from '../config/config-manager.js';
import type { Device } from '../config/model-settings.js';
import { parseConfig } from '../config/parse-config.js';
import { PioError } from '../errors/pio-error.js';
import { PluginNotFoundError } from '../errors/plugin-not-found-error.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import { createHardwareAnalyzer } from '../hardware/hardware-analyzer.js';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import { isTextModelPlugin } from '../plugin/text-model-plugin-interface.js';
import type { PluginFactory } from '../plugin/plugin-factory.js';
import type { ModelPluginMetadataInput } from '../plugin/plugin-metadata-input.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import type { TrustLevel } from '../plugin/trust-level.js';
import { createGuardedFetch } from '../security/create-guarded-fetch.js';
import { createPathValidator } from '../security/create-path-validator.js';
import { hfHubCacheDir } from '../weights/hf-cache.js';
import { coreInstallationRoot } from '../security/installation-root.js';
import { createTrustPolicy, type TrustPolicy } from '../security/trust-policy.js';
import { runActivation } from './activate-plugin.js';
import { describePackage, discoverPlugins } from './discover-plugins.js';
import { DuplicatePluginError } from '../errors/duplicate-plugin-error.js';
import { executionLimitsSchema } from './execution-limits.js';
import { runExecution } from './execute-plugin.js';
import { findPluginForModel } from './find-plugin-for-model.js';
import { loadPluginsFromDirectory } from './load-plugins-from-directory.js';
import type { ManagerContext } from './manager-context.js';
import type { ActiveModel, PluginEntry } from './plugin-entry.js';
import { pluginInfo, stateOf } from './plugin-info.js';
import type { PluginManager, PluginManagerOptions } from './plugin-manager.js';
import { ExecutionQueue } from './execution-queue.js';
import { failedIterator } from './failed-iterator.js';
import type { ChatCompletionDelta } from '../plugin/text-model-plugin-interface.js';
import { streamScheduledGeneration } from './stream-scheduled-generation.js';
import { registrationEntry } from './registration-entry.js';

function isTrustPolicy(value: unknown): value is TrustPolicy {
  return typeof value === 'object' && value !== null && typeof (value as TrustPolicy).levelOf === 'function';
}

/**
 * Creates a {@link PluginManager}. Nothing global: each manager has its own registry, backends and limits.
 *
 * @throws InvalidConfigError when `limits` or the trust policy options are invalid.
 */
export function createPluginManager(options: PluginManagerOptions = {}): PluginManager {
  const cwd = resolve(options.cwd ?? process.cwd());
  // `allow` trusts packages by name only inside core's own installation and the application's folder (cwd); a package
  // in an ancestor's node_modules, or one whose folder is not its declared name, gets the default level
  const policy = isTrustPolicy(options.trustPolicy)
    ? options.trustPolicy
    : createTrustPolicy({ trustedRoots: [coreInstallationRoot(), cwd], ...(options.trustPolicy ?? {}) });
  const limits = parseConfig(executionLimitsSchema, options.limits ?? {}, { source: 'createPluginManager options.limits' });
  const allowedRoots = options.allowedRoots ?? [cwd];
  const hubCacheDir = options.hubCacheDir ?? hfHubCacheDir();
  const created = new Map<Device, Promise<Backend>>();
  const entries = new Map<string, PluginEntry>();
  /** Loaded and loading models by id: each a copy of its plugin's entry with its own instance and state. */
  const models = new Map<string, PluginEntry>();
  const modelsOf = (name: string): PluginEntry[] => [...models.values()].filter((model) => model.name === name);

  async function backendFor(pluginName: string, device: Device): Promise<Backend> {
    if (options.createBackend === undefined) {
      throw new PluginStateError({
        pluginName,
        state: 'inactive',
        message: 'the manager has no backend. Pass `backend` or `createBackend` to createPluginManager.',
      });
    }
    let backend = created.get(device);
    if (backend === undefined) {
      backend = Promise.resolve(options.createBackend(device));
      created.set(device, backend);
      backend.catch(() => created.delete(device));
    }
    return backend;
  }

  const ctx: ManagerContext = {
    policy,
    limits,
    analyzer: options.hardware ?? createHardwareAnalyzer({ resolveFrom: cwd }),
    configManager: options.configManager ?? new ConfigManager(),
    queue: new ExecutionQueue({ maxConcurrent: limits.maxConcurrentExecutions, maxQueued: limits.maxQueuedExecutions }),
    preferSourceEntries: options.preferSourceEntries ?? false,
    trustLevelOf: (entry) => entry.trustLevel ?? policy.levelOf(entry.packageName ?? entry.name, { packageDir: entry.pkg?.packageDir }),
    validatorFor: (level: TrustLevel) => createPathValidator({ level, allowedRoots, hubCacheDir }),
    fetchFor: (level: TrustLevel) => createGuardedFetch(level, options.network ?? {}),
    async backendsFor(pluginName, device, hasGpu) {
      if (options.backend !== undefined) return [options.backend];
      if (device !== undefined) return [await backendFor(pluginName, device)];
      const backends: Backend[] = [];
      if (hasGpu) {
        try {
          backends.push(await backendFor(pluginName, 'gpu'));
        } catch (error) {
          if (PluginStateError.isInstance(error)) throw error;
          // no usable GPU engine: fall back to the CPU
        }
      }
      backends.push(await backendFor(pluginName, 'cpu'));
      return backends;
    },
  };

  /** A path against the manager's cwd, unnormalised, so the path guard still sees any `..` the caller wrote. */
  const againstCwd = (path: string): string => (isAbsolute(path) ? path : `${cwd}${sep}${path}`);

  const lookup = (name: string): PluginEntry => {
    const entry = entries.get(name);
    if (entry === undefined) throw new PluginNotFoundError({ pluginName: name, available: [...entries.keys()] });
    return entry;
  };

  /**
   * Whether a found package leaves an existing entry of the same name in place. A discovered package never silently
   * replaces another package of the same plugin name: that is a {@link DuplicatePluginError}.
   */
  const keepExisting = (existing: PluginEntry, pkg: PluginPackage, origin: 'discovered' | 'directory', errors: PioError[]): boolean => {
    if (stateOf(existing, modelsOf(existing.name)) !== 'inactive' || existing.origin === 'registered') return true; // in use, or given in code
    if (existing.pkg?.packageDir === pkg.packageDir) return true; // same package: keep its imported code
    if (origin === 'directory') return false; // an explicit folder wins over discovery
    if (existing.origin === 'directory') return true;
    const packages = [existing.pkg ? describePackage(existing.pkg) : existing.name, describePackage(pkg)];
    errors.push(new DuplicatePluginError({ pluginName: pkg.manifest.name, packages }));
    return true;
  };

  const addPackages = (plugins: readonly PluginPackage[], origin: 'discovered' | 'directory'): PioError[] => {
    const errors: PioError[] = [];
    for (const pkg of plugins) {
      const existing = entries.get(pkg.manifest.name);
      if (existing && keepExisting(existing, pkg, origin, errors)) continue;
      entries.set(pkg.manifest.name, {
        name: pkg.manifest.name,
        metadata: { ...pkg.manifest, version: pkg.version },
        origin,
        pkg,
        packageName: pkg.packageName,
        state: 'inactive',
        executions: new Set(),
      });
    }
    return errors;
  };

  /**
   * The entry of model `modelId` of `registration`'s plugin, made on first use: the plugin's entry with its own
   * instance and state (a fresh instance from the factory; a plugin registered as one object holds one model).
   */
  const modelEntry = (registration: PluginEntry, modelId: string): PluginEntry => {
    const existing = models.get(modelId);
    if (existing && existing.name !== registration.name) {
      throw new PluginStateError({
        pluginName: registration.name,
        state: 'inactive',
        message: `the model id "${modelId}" is taken by the ${existing.name} plugin. Pass another modelId.`,
      });
    }
    if (existing) return existing;
    const other = registration.reusable ? modelsOf(registration.name)[0] : undefined;
    if (other) return other; // one object, one model: the checks of activatePlugin refuse a different one
    const { spare } = registration;
    registration.spare = undefined;
    const entry: PluginEntry = {
      ...registration,
      modelId,
      spare,
      state: 'inactive',
      activation: undefined,
      active: undefined,
      deactivation: undefined,
      executions: new Set(),
    };
    models.set(modelId, entry);
    return entry;
  };

  /** Drops an inactive model's entry. */
  const forget = (entry: PluginEntry): void => {
    if (entry.state === 'inactive' && entry.modelId !== undefined && models.get(entry.modelId) === entry) models.delete(entry.modelId);
  };

  /** The model a name means: a model id, or a plugin name when that plugin runs one model (else its inactive entry). */
  const resolveModel = (name: string): PluginEntry => {
    const model = models.get(name);
    if (model) return model;
    const registration = lookup(name);
    const loaded = modelsOf(name);
    if (loaded.length <= 1) return loaded[0] ?? registration;
    const ids = loaded.map((m) => m.modelId).join(', ');
    throw new PluginStateError({ pluginName: name, state: 'active', message: `it runs ${loaded.length} models (${ids}). Name the model id instead.` });
  };

  const requireActive = (entry: PluginEntry): ActiveModel => {
    if (entry.state !== 'active' || entry.active === undefined) {
      const what = entry.state === 'activating' ? 'Wait for activatePlugin() to finish.' : 'Call activatePlugin(name, { modelPath }) first.';
      throw new PluginStateError({ pluginName: entry.name, state: entry.state, message: `only active plugins can execute. ${what}` });
    }
    return entry.active;
  };

  async function deactivate(entry: PluginEntry): Promise<boolean> {
    if (entry.deactivation) return entry.deactivation;
    if (entry.state === 'inactive') return false;
    if (entry.state === 'activating' && entry.activation) {
      entry.activation.controller.abort(new Error('the plugin was deactivated'));
      await entry.activation.promise.catch(() => undefined);
      return true;
    }
    const active = entry.active!;
    entry.state = 'deactivating';
    entry.deactivation = (async () => {
      try {
        for (const running of entry.executions) running.controller.abort(new Error('the plugin was deactivated'));
        await Promise.all([...entry.executions].map((running) => running.done));
        await active.plugin.cleanup();
        return true;
      } finally {
        entry.active = undefined;
        entry.state = 'inactive';
        entry.deactivation = undefined;
      }
    })();
    return entry.deactivation;
  }

  const manager: PluginManager = {
    async discoverPlugins(discoverOptions = {}) {
      const result = await discoverPlugins({
        cwd: discoverOptions.cwd ?? cwd,
        searchPaths: discoverOptions.searchPaths ?? options.searchPaths,
        includePnpmStore: discoverOptions.includePnpmStore,
      });
      const duplicates = addPackages(result.plugins, 'discovered');
      return { plugins: result.plugins, errors: [...result.errors, ...duplicates] };
    },

    async loadPluginsFromDirectory(dir) {
      const result = await loadPluginsFromDirectory(resolve(cwd, dir));
      const duplicates = addPackages(result.plugins, 'directory');
      return { plugins: result.plugins, errors: [...result.errors, ...duplicates] };
    },

    async registerPlugin(plugin: ModelPluginInterface | PluginFactory, manifest?: ModelPluginMetadataInput, registerOptions = {}) {
      const entry = await registrationEntry(plugin, manifest, registerOptions);
      const existing = entries.get(entry.name);
      const state = existing && stateOf(existing, modelsOf(existing.name));
      if (existing && (state !== 'inactive' || !registerOptions.replace)) {
        throw new PluginStateError({
          pluginName: entry.name,
          state: state === 'inactive' ? 'already registered' : (state ?? 'registered'),
          message: 'a plugin of this name is registered. Pass { replace: true } (while it is inactive) to replace it.',
        });
      }
      entries.set(entry.name, entry);
      return pluginInfo(entry, ctx.trustLevelOf(entry));
    },

    listPlugins() {
      return [...entries.values()].map((entry) => pluginInfo(entry, ctx.trustLevelOf(entry), modelsOf(entry.name)));
    },

    listModels() {
      return [...models.values()].map((model) => ({
        id: model.modelId ?? model.name,
        pluginName: model.name,
        state: model.state,
        modelPath: model.active?.modelPath ?? model.activation?.requestedPath ?? '',
        ...(model.active ? { settings: model.active.settings } : {}),
      }));
    },

    async activatePlugin(name, activateOptions) {
      const registration = lookup(name);
      const requestedPath = resolve(cwd, activateOptions.modelPath);
      const modelId = activateOptions.modelId ?? basename(requestedPath);
      const entry = modelEntry(registration, modelId);
      const sameSettings = (settings: { device: Device; storage: string }) =>
        (activateOptions.device === undefined || activateOptions.device === settings.device) &&
        (activateOptions.storage === undefined || activateOptions.storage === settings.storage);
      if (entry.state === 'deactivating') {
        await entry.deactivation?.catch(() => undefined);
        return manager.activatePlugin(name, activateOptions);
      }
      if (entry.state === 'active' && entry.active) {
        const active = entry.active;
        if ((active.requestedPath === requestedPath || active.modelPath === requestedPath) && sameSettings(active.settings)) {
          return active.plugin;
        }
        throw new PluginStateError({
          pluginName: name,
          state: 'active',
          message:
            `it already runs the model at ${active.modelPath} (${active.settings.storage} on ${active.settings.device}). ` +
            'Call deactivatePlugin() first to load another model or change settings.',
        });
      }
      if (entry.state === 'activating' && entry.activation) {
        if (entry.activation.requestedPath === requestedPath) return entry.activation.promise;
        throw new PluginStateError({
          pluginName: name,
          state: 'activating',
          message: `it is loading the model at ${entry.activation.requestedPath}. Wait for it, or deactivate it first.`,
        });
      }
      const controller = new AbortController();
      const signal = activateOptions.signal ? AbortSignal.any([activateOptions.signal, controller.signal]) : controller.signal;
      entry.state = 'activating';
      const promise = runActivation(ctx, entry, { ...activateOptions, modelPath: againstCwd(activateOptions.modelPath) }, requestedPath, signal).then(
        (active) => {
          entry.active = active;
          entry.state = 'active';
          entry.activation = undefined;
          registration.factory ??= entry.factory;
          return active.plugin;
        },
        (error: unknown) => {
          entry.state = 'inactive';
          entry.activation = undefined;
          forget(entry);
          throw error;
        },
      );
      entry.activation = { requestedPath, promise, controller };
      return promise;
    },

    async executePlugin(name, input, executeOptions = {}) {
      const entry = resolveModel(name);
      return runExecution(ctx, entry, requireActive(entry), input, executeOptions);
    },

    streamGeneration(name, request, streamOptions = {}) {
      return {
        [Symbol.asyncIterator]: () => {
          try {
            const entry = resolveModel(name);
            const active = requireActive(entry);
            if (!isTextModelPlugin(active.plugin)) {
              throw new PluginStateError({ pluginName: name, state: entry.state, message: 'it is not a text plugin; use executePlugin().' });
            }
            return streamScheduledGeneration(ctx, entry, active, request, streamOptions);
          } catch (error) {
            return failedIterator<ChatCompletionDelta>(error); // rejects on first read, never throws synchronously
          }
        },
      };
    },

    async deactivatePlugin(name) {
      const model = models.get(name);
      const targets = model ? [model] : (lookup(name), modelsOf(name));
      const results = await Promise.all(
        targets.map(async (entry) => {
          const done = await deactivate(entry);
          forget(entry);
          return done;
        }),
      );
      return results.includes(true);
    },

    async findPluginForModel(modelPath) {
      return findPluginForModel([...entries.values()], againstCwd(modelPath), ctx);
    },

    async dispose() {
      const results = await Promise.allSettled([...models.values()].map((entry) => deactivate(entry)));
      models.clear();
      entries.clear();
      const backends = await Promise.allSettled([...created.values()]);
      created.clear();
      for (const backend of backends) if (backend.status === 'fulfilled') backend.value.dispose();
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
  return manager;
}
