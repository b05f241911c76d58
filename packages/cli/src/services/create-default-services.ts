import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigManager,
  createHardwareAnalyzer,
  createPluginManager,
  loadPluginFactory,
  readModelConfig,
  readPluginPackage,
  type BackendCandidate,
  type Device,
  type ExecutionLimitsInput,
  type MemoryEstimate,
  type PluginFactory,
  type PluginManager,
  type WeightStorage,
} from '@pio/core';
import { downloadModel, hfHubCacheDir, ModelNotFoundError, resolveModelPath } from '@pio/core/weights';
import type { TfjsDevice } from '@pio/backend-tfjs';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { createManagerHost } from '../host/create-manager-host.js';
import { summarizePlugin } from '../host/summarize-plugin.js';
import type { ModelHost } from '../host/model-host.js';
import type { CliServices, DoctorReport, LocalModelListing, ModelDescription } from './cli-services.js';
import { BACKEND_CHOICES, createBackendFactory, type BackendChoice, type StartedBackend } from './create-backend-factory.js';
import { scanLocalModels } from './scan-local-models.js';
import { summarizeConfig } from './summarize-config.js';

const STORAGES: readonly WeightStorage[] = ['float32', 'bfloat16', 'float16', 'int8', 'int4', 'q8_0', 'q4_k', 'q4_0'];
const DEVICES = new Set(['cpu', 'gpu']);
const TFJS_ENGINES = new Set(['auto', 'gpu', 'cpu', 'wasm', 'js']);

/** Where the CLI looks for things, from its environment. */
export interface DefaultServicesOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Receives one-line notices (e.g. a backend fallback); the CLI prints them on stderr. */
  onNotice?: (message: string) => void;
}

/** Whether the ggml backend can start here (its package, koffi and the prebuilt ggml for this platform), for `pio doctor`. */
async function ggmlEngine(): Promise<DoctorReport['engines'][number]> {
  const packageName = '@pio/backend-ggml';
  try {
    const { createGgmlBackend } = await import('@pio/backend-ggml');
    const backend = await createGgmlBackend({ threads: 1 });
    const engine = backend.engine;
    backend.dispose();
    return { packageName, installed: true, version: engine };
  } catch {
    return { packageName, installed: false };
  }
}

/**
 * The real {@link CliServices}: plugins are discovered from the working folder's node_modules, the folder `@pio/cli`
 * is installed in (global installs) and `PIO_PLUGIN_PATH`; `@pio/*` packages and those in `PIO_TRUST` are trusted
 * to read model folders in the working folder, `PIO_MODELS_DIR`, the folders named on the command line and the
 * Hugging Face cache.
 */
export function createDefaultServices(options: DefaultServicesOptions): CliServices {
  const { cwd, env } = options;
  const split = (value: string | undefined): string[] =>
    (value ?? '')
      .split(/[,:;]/)
      .map((s) => s.trim())
      .filter(Boolean);
  const ownNodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const searchPaths = [ownNodeModules, ...split(env.PIO_PLUGIN_PATH).map((p) => resolve(cwd, p))];
  const trusted = split(env.PIO_TRUST);
  const backend: BackendChoice = BACKEND_CHOICES.includes(env.PIO_BACKEND as BackendChoice) ? (env.PIO_BACKEND as BackendChoice) : 'auto';
  const engine = TFJS_ENGINES.has(env.PIO_TFJS_ENGINE ?? '') ? (env.PIO_TFJS_ENGINE as TfjsDevice) : undefined;
  const analyzer = createHardwareAnalyzer({ resolveFrom: enginesFolder() ?? cwd });
  const hubCacheDir = resolve(cwd, hfHubCacheDir(env));
  const modelsDir = env.PIO_MODELS_DIR ? resolve(cwd, env.PIO_MODELS_DIR) : undefined;

  const makeManager = (
    extraRoots: readonly string[] = [],
    limits: ExecutionLimitsInput = { maxConcurrentExecutions: 64, maxQueuedExecutions: 1024 },
    createBackend = createBackendFactory({ backend, tfjsEngine: engine, onNotice: options.onNotice }),
    allowPrivateNetwork = false,
  ): PluginManager =>
    createPluginManager({
      cwd,
      searchPaths,
      createBackend,
      // @pio/* is trusted only where this installation put it; PIO_TRUST names are an explicit list, trusted anywhere
      trustPolicy: {
        allow: ['@pio/*', ...trusted.filter((name) => name.includes('*'))],
        packages: Object.fromEntries(trusted.filter((name) => !name.includes('*')).map((name) => [name, 'verified' as const])),
      },
      allowedRoots: [cwd, ...(modelsDir ? [modelsDir] : []), ...extraRoots],
      hubCacheDir,
      limits,
      network: { allowPrivateNetwork },
      hardware: analyzer,
    });

  /** The capabilities of the backends this machine can start (each started once, then disposed). */
  const backendCandidates = async (hasGpu: boolean, started = new Map<Device, StartedBackend>()): Promise<BackendCandidate[]> => {
    const create = createBackendFactory({ backend, tfjsEngine: engine, onNotice: options.onNotice, onStarted: (device, info) => started.set(device, info) });
    const candidates: BackendCandidate[] = [];
    for (const device of hasGpu ? (['gpu', 'cpu'] as const) : (['cpu'] as const)) {
      try {
        const started = await create(device);
        candidates.push({ capabilities: started.capabilities });
        started.dispose();
      } catch {
        // no engine for this device
      }
    }
    return candidates;
  };

  return {
    async listPlugins() {
      const manager = makeManager();
      try {
        const result = await manager.discoverPlugins();
        const plugins = manager.listPlugins().map((p) => ({ ...summarizePlugin(p), trustLevel: p.trustLevel }));
        return { plugins, problems: result.errors.map((e) => e.message) };
      } finally {
        await manager.dispose();
      }
    },

    async listLocalModels() {
      const modelsDirs = modelsDir ? [modelsDir] : [];
      const scan = await scanLocalModels({ modelsDirs, hubCacheDir });
      const manager = makeManager();
      try {
        await manager.discoverPlugins();
        const models: LocalModelListing[] = [];
        for (const model of scan.models) {
          try {
            const found = await manager.findPluginForModel(model.path);
            const plugin = found ? { name: found.name, version: found.version, ...(found.packageName ? { packageName: found.packageName } : {}) } : null;
            models.push({ ...model, plugin });
          } catch (error) {
            models.push({ ...model, plugin: null, problem: (error as Error).message.split('\n')[0] ?? String(error) });
          }
        }
        return { models, totalBytes: scan.totalBytes, searched: [...modelsDirs, hubCacheDir] };
      } finally {
        await manager.dispose();
      }
    },

    async describeModel(source, describeOptions = {}) {
      const { path } = await resolveModelPath(source, { env });
      const manager = makeManager([dirname(path)]);
      try {
        await manager.discoverPlugins();
        const config = await readModelConfig(path);
        const found = await manager.findPluginForModel(path);
        const base = {
          source,
          path,
          summary: summarizeConfig(config as Record<string, unknown>),
          ...(config.architectures?.[0] ? { architecture: config.architectures[0] } : {}),
          modelType: config.model_type,
        };
        if (!found)
          return { ...base, estimates: [], fit: { ok: false, reason: 'no installed plugin serves this model (see `pio list`).' } } satisfies ModelDescription;
        const plugin = { name: found.name, version: found.version, ...(found.packageName ? { packageName: found.packageName } : {}) };
        let instance: Awaited<ReturnType<PluginFactory>> | undefined;
        try {
          const pkg = found.packageDir ? await readPluginPackage(found.packageDir) : undefined;
          instance = pkg ? await (await loadPluginFactory(pkg))() : undefined;
        } catch (error) {
          return {
            ...base,
            plugin,
            estimates: [],
            fit: { ok: false, reason: `the plugin's code cannot be loaded: ${(error as Error).message}` },
          } satisfies ModelDescription;
        }
        const estimates: MemoryEstimate[] = [];
        for (const storage of STORAGES) {
          try {
            if (instance) {
              const { expertBudget } = describeOptions;
              estimates.push(
                expertBudget === undefined ? instance.estimateMemory(config, storage) : instance.estimateMemory(config, storage, { expertBudget }),
              );
            }
          } catch {
            // the plugin cannot estimate this storage type: leave it out
          }
        }
        const hardware = await analyzer.analyze();
        let fit: ModelDescription['fit'];
        try {
          const started = new Map<Device, StartedBackend>();
          const choice = new ConfigManager().choose({
            estimates,
            hardware,
            backends: await backendCandidates(hardware.gpus.length > 0, started),
            chooseExpertBudget: describeOptions.expertBudget === undefined,
          });
          const chosen = started.get(choice.device);
          const threads = (chosen?.backend as { threads?: unknown } | undefined)?.threads;
          const runtime = chosen && {
            device: choice.device,
            storage: choice.storage,
            backend: chosen.backend.name,
            engine: chosen.backend.engine,
            ...(typeof threads === 'number' && threads > 0 ? { threads } : {}),
          };
          fit = {
            ok: true,
            device: choice.device,
            storage: choice.storage,
            reason: choice.reason,
            ...(choice.expertBudget === undefined ? {} : { expertBudget: choice.expertBudget }),
            ...(chosen ? { backend: chosen.reason, runtime } : {}),
          };
        } catch (error) {
          fit = { ok: false, reason: (error as Error).message };
        }
        return { ...base, plugin, ...(estimates[0] ? { parameters: estimates[0].parameters } : {}), estimates, fit };
      } finally {
        await manager.dispose();
      }
    },

    async analyzeHardware() {
      const snapshot = await analyzer.analyze();
      return { ...snapshot, engines: [await ggmlEngine(), ...snapshot.engines], node: process.versions.node };
    },

    async hasModel(source) {
      try {
        await resolveModelPath(source, { env });
        return true;
      } catch (error) {
        if (ModelNotFoundError.isInstance(error)) return false;
        throw error;
      }
    },

    async downloadModel(repoId, downloadOptions) {
      const path = await downloadModel(repoId, {
        ...(downloadOptions.revision === undefined ? {} : { revision: downloadOptions.revision }),
        ...(env.HF_TOKEN ? { accessToken: env.HF_TOKEN } : {}),
        ...(env.HF_ENDPOINT ? { hubUrl: env.HF_ENDPOINT.replace(/\/+$/, '') } : {}),
        ...(downloadTimeoutMs(env) === undefined ? {} : { timeoutMs: downloadTimeoutMs(env) }),
        ...(downloadOptions.onProgress === undefined ? {} : { onProgress: downloadOptions.onProgress }),
        ...(downloadOptions.signal === undefined ? {} : { signal: downloadOptions.signal }),
      });
      return { path };
    },

    createHost(hostOptions) {
      if (hostOptions.device !== undefined && !DEVICES.has(hostOptions.device)) {
        throw new CliUsageError('pio', `--device must be cpu or gpu, got '${hostOptions.device}'`);
      }
      if (hostOptions.storage !== undefined && !STORAGES.includes(hostOptions.storage as WeightStorage)) {
        throw new CliUsageError('pio', `--storage must be one of ${STORAGES.join(', ')}, got '${hostOptions.storage}'`);
      }
      if (hostOptions.kvCache !== undefined && hostOptions.kvCache !== 'float32' && hostOptions.kvCache !== 'float16') {
        throw new CliUsageError('pio', `--kv-cache must be float32 or float16, got '${hostOptions.kvCache}'`);
      }
      if (hostOptions.backend !== undefined && !BACKEND_CHOICES.includes(hostOptions.backend as BackendChoice)) {
        throw new CliUsageError('pio', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${hostOptions.backend}'`);
      }
      const started = new Map<Device, StartedBackend>();
      const createBackend = createBackendFactory({
        backend: (hostOptions.backend as BackendChoice | undefined) ?? backend,
        tfjsEngine: engine,
        ...(hostOptions.threads === undefined ? {} : { threads: hostOptions.threads }),
        onNotice: options.onNotice,
        onStarted: (device, backendStarted) => started.set(device, backendStarted),
      });
      const host = createManagerHost({
        manager: makeManager(
          (hostOptions.modelRoots ?? []).map((root) => resolve(cwd, root)),
          hostOptions.limits,
          createBackend,
          hostOptions.allowPrivateNetwork,
        ),
        ...(hostOptions.kvCache === undefined ? {} : { kvCacheStorage: hostOptions.kvCache as 'float32' | 'float16' }),
        ...(hostOptions.contextSize === undefined ? {} : { contextLength: hostOptions.contextSize }),
        ...(hostOptions.expertBudget === undefined ? {} : { expertBudget: hostOptions.expertBudget }),
        ...(hostOptions.device === undefined ? {} : { device: hostOptions.device as Device }),
        ...(hostOptions.storage === undefined ? {} : { storage: hostOptions.storage as WeightStorage }),
      });
      return withBackendInfo(host, started);
    },
  };
}

/** `host` whose `registerModel` answers name the backend that was started for the model's device. */
function withBackendInfo(host: ModelHost, started: ReadonlyMap<Device, StartedBackend>): ModelHost {
  return {
    ...host,
    async registerModel(request) {
      const model = await host.registerModel(request);
      const backend = model.runtime === undefined ? undefined : started.get(model.runtime.device as Device)?.backend;
      if (model.runtime === undefined || backend === undefined) return model;
      const threads = (backend as { threads?: unknown }).threads;
      return {
        ...model,
        runtime: { ...model.runtime, backend: backend.name, engine: backend.engine, ...(typeof threads === 'number' && threads > 0 ? { threads } : {}) },
      };
    },
  };
}

/** `HF_HUB_DOWNLOAD_TIMEOUT` (seconds, as `huggingface_hub` reads it) in milliseconds, when it is a number >= 0. */
function downloadTimeoutMs(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const seconds = Number(env.HF_HUB_DOWNLOAD_TIMEOUT);
  if (env.HF_HUB_DOWNLOAD_TIMEOUT === undefined || env.HF_HUB_DOWNLOAD_TIMEOUT.trim() === '' || !(seconds >= 0)) return undefined;
  return seconds * 1000;
}

/** The folder of `@pio/backend-tfjs`, from which the TensorFlow.js engines it uses resolve. */
function enginesFolder(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('@pio/backend-tfjs/package.json'));
  } catch {
    return undefined;
  }
}
