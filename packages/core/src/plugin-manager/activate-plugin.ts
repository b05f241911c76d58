import { configDtype } from '../config/base-config.js';
import { readModelConfig } from '../config/read-model-config.js';
import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { PioError } from '../errors/pio-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import type { TrustLevel } from '../plugin/trust-level.js';
import { loadPluginFactory } from './load-plugin.js';
import type { ManagerContext } from './manager-context.js';
import type { ActiveModel, PluginEntry } from './plugin-entry.js';
import type { ActivatePluginOptions } from './plugin-manager.js';
import { validatePlugin } from './validate-plugin.js';

function throwIfAborted(signal: AbortSignal, pluginName: string, cause?: unknown): void {
  if (!signal.aborted) return;
  const reason = signal.reason instanceof Error ? signal.reason.message : undefined;
  throw new ExecutionAbortedError({ pluginName, operation: 'activation', reason }, { cause: cause ?? signal.reason });
}

/** A plugin instance for one activation: the spare one, the reusable one, or a fresh one from the factory. */
export async function instantiatePlugin(ctx: ManagerContext, entry: PluginEntry): Promise<ModelPluginInterface> {
  if (entry.reusable) return entry.reusable;
  if (entry.spare) {
    const plugin = entry.spare;
    entry.spare = undefined;
    return plugin;
  }
  if (entry.factory === undefined) {
    if (entry.pkg === undefined) throw new PluginLoadError({ pluginName: entry.name, reason: 'it has neither code nor a package.' });
    entry.factory = await loadPluginFactory(entry.pkg, { preferSource: ctx.preferSourceEntries });
  }
  let value: unknown;
  try {
    value = await entry.factory();
  } catch (error) {
    if (PioError.isInstance(error)) throw error;
    throw new PluginLoadError({ pluginName: entry.name, reason: `its factory threw: ${(error as Error).message}` }, { cause: error });
  }
  return validatePlugin(value, entry.name, entry.name).plugin;
}

/**
 * One activation, start to end: trust, path, config.json, code, memory fit, then `initialize` + `loadModel`.
 * A failure after `initialize` started calls `cleanup` before rethrowing. Internal to the manager.
 */
export async function runActivation(
  ctx: ManagerContext,
  entry: PluginEntry,
  options: ActivatePluginOptions,
  requestedPath: string,
  signal: AbortSignal,
): Promise<ActiveModel> {
  const pluginName = entry.name;
  const level = ctx.policy.assertCanActivate({
    packageName: entry.packageName ?? pluginName,
    pluginName,
    requiredTrust: entry.metadata.requiredTrust as TrustLevel,
    level: ctx.trustLevelOf(entry),
  });
  const validatePath = ctx.validatorFor(level);
  const modelPath = await validatePath(options.modelPath);
  const config = await readModelConfig(modelPath, { validatePath });
  throwIfAborted(signal, pluginName);

  const plugin = await instantiatePlugin(ctx, entry);
  let supported = false;
  try {
    supported = plugin.supportsConfig(config);
  } catch {
    supported = false;
  }
  if (!supported) {
    // a model of a type the plugin serves whose config does not parse: name the bad field, not "unsupported"
    const declared = config.model_type !== undefined && entry.metadata.modelTypes.includes(config.model_type);
    if (declared) {
      try {
        plugin.estimateMemory(config, 'float32');
      } catch (error) {
        if (InvalidConfigError.isInstance(error)) throw error;
      }
    }
    throw new UnsupportedModelError({ pluginName, modelPath, modelType: config.model_type, supported: entry.metadata.modelTypes });
  }

  const hardware = await ctx.analyzer.analyze();
  const backends = await ctx.backendsFor(pluginName, options.device, hardware.gpus.length > 0);
  const storages = [...new Set(backends.flatMap((b) => b.capabilities.weightStorage))];
  const { contextLength, expertBudget } = options;
  const estimateOptions = {
    ...(contextLength === undefined ? {} : { contextLength }),
    ...(expertBudget === undefined ? {} : { expertBudget }),
  };
  const estimates: MemoryEstimate[] = storages.map((storage) =>
    Object.keys(estimateOptions).length === 0 ? plugin.estimateMemory(config, storage) : plugin.estimateMemory(config, storage, estimateOptions),
  );
  const dtype = configDtype(config);
  const settings = ctx.configManager.choose({
    estimates,
    hardware,
    backends: backends.map((b) => ({ capabilities: b.capabilities, allocatedBytes: b.memory().bytes })),
    device: options.device,
    storage: options.storage,
    preferredHalf: dtype === 'float16' ? 'float16' : 'bfloat16',
    memoryLimitBytes: ctx.limits.memoryBytes,
    // a mixture-of-experts model that does not fit whole keeps as many experts resident as fit, unless a budget was asked
    chooseExpertBudget: expertBudget === undefined,
  });
  const backend = backends.find((b) => b.capabilities.device === settings.device)!;
  throwIfAborted(signal, pluginName);

  try {
    await plugin.initialize({ backend, validatePath, fetch: ctx.fetchFor(level), limits: { maxVisionPixels: ctx.limits.maxVisionPixels } });
    await plugin.loadModel({
      modelPath,
      storage: settings.storage,
      ...(options.kvCacheStorage === undefined ? {} : { kvCacheStorage: options.kvCacheStorage }),
      ...(options.contextLength === undefined ? {} : { contextLength: options.contextLength }),
      ...((options.expertBudget ?? settings.expertBudget) === undefined ? {} : { expertBudget: options.expertBudget ?? settings.expertBudget }),
      onProgress: options.onProgress,
      signal,
    });
    throwIfAborted(signal, pluginName);
  } catch (error) {
    try {
      await plugin.cleanup();
    } catch {
      // the load error is the one to report; cleanup is best effort here
    }
    throwIfAborted(signal, pluginName, error);
    if (PioError.isInstance(error)) throw error;
    throw new PluginLoadError(
      { pluginName, reason: `loading the model at ${modelPath} failed: ${(error as Error).message ?? String(error)}` },
      { cause: error },
    );
  }
  return { plugin, modelPath, requestedPath, settings, backend };
}
