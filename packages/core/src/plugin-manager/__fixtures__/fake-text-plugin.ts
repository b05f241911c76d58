import type { ModelPluginInterface } from '../../plugin/model-plugin-interface.js';
import type { ModelPluginMetadata } from '../../plugin/plugin-metadata.js';
import type { GenerateTextOptions, GenerateTextResult } from '../../plugin/text-model-plugin-interface.js';

/** What a {@link createFakeTextPlugin} instance did, for assertions. */
export interface FakePluginLog {
  calls: string[];
  /** Options of every `generateText` call. */
  generateOptions: GenerateTextOptions[];
  /** Paths passed to `loadModel`. */
  modelPaths: string[];
  /** `kvCacheStorage` of every `loadModel` call (undefined when not given). */
  kvCacheStorages?: Array<string | undefined>;
}

/** Options of {@link createFakeTextPlugin}. */
export interface FakeTextPluginOptions {
  name?: string;
  /** Parameters reported by `estimateMemory` (bytes per parameter follow the storage). Default 1000. */
  parameters?: number;
  /** `loadModel` throws this. */
  loadError?: Error;
  /** `loadModel` waits for this before finishing. */
  loadGate?: Promise<void>;
  /** `generateText` waits for this (or its signal) before answering. */
  generateGate?: Promise<void>;
  /** When true, `generateText` ignores its signal. */
  ignoreSignal?: boolean;
  specificationVersion?: string;
  metadata?: Partial<ModelPluginMetadata>;
}

const BYTES: Record<string, number> = { float32: 4, bfloat16: 2, float16: 2, int8: 1, int4: 0.5 };

/** An in-memory text plugin whose every call is logged; `generateText` answers `<storage>|<prompt>`. */
export function createFakeTextPlugin(options: FakeTextPluginOptions = {}, log: FakePluginLog = { calls: [], generateOptions: [], modelPaths: [] }) {
  let storage: string | undefined;
  const plugin = {
    specificationVersion: options.specificationVersion ?? 'v1',
    kind: 'text' as const,
    metadata: {
      name: options.name ?? 'fake',
      version: '0.0.1',
      description: 'A fake text plugin.',
      architectures: ['FakeForCausalLM'],
      modelTypes: ['fake'],
      modalities: { input: ['text'], output: ['text'] },
      license: 'MIT',
      requiredTrust: 'sandboxed',
      ...options.metadata,
    },
    async initialize() {
      log.calls.push('initialize');
    },
    supportsConfig: (config: unknown) => (config as { model_type?: string }).model_type === 'fake',
    estimateMemory(_config: unknown, s: string) {
      const parameters = options.parameters ?? 1000;
      const weightBytes = parameters * BYTES[s];
      return { storage: s, parameters, weightBytes, runtimeBytes: 0, contextLength: 16, totalBytes: weightBytes };
    },
    async loadModel(load: { modelPath: string; storage?: string; kvCacheStorage?: string; signal?: AbortSignal }) {
      log.calls.push('loadModel');
      log.modelPaths.push(load.modelPath);
      (log.kvCacheStorages ??= []).push(load.kvCacheStorage);
      if (options.loadGate) await options.loadGate;
      if (options.loadError) throw options.loadError;
      storage = load.storage;
    },
    async infer(input: unknown) {
      return { echoed: input };
    },
    async generateText(prompt: string, generate: GenerateTextOptions = {}): Promise<GenerateTextResult> {
      log.calls.push('generateText');
      log.generateOptions.push(generate);
      if (options.generateGate) {
        await new Promise<void>((resolve, reject) => {
          void options.generateGate!.then(resolve);
          if (!options.ignoreSignal) {
            if (generate.signal?.aborted) reject(new Error('aborted by signal'));
            generate.signal?.addEventListener('abort', () => reject(new Error('aborted by signal')), { once: true });
          }
        });
      }
      return {
        text: `${storage}|${prompt}`,
        tokens: [],
        finishReason: 'stop',
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      };
    },
    async cleanup() {
      log.calls.push('cleanup');
      storage = undefined;
    },
  };
  return { plugin: plugin as unknown as ModelPluginInterface, log };
}

/** A gate: a promise and the function that opens it. */
export function createGate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
