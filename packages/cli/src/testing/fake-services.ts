import type { CliServices } from '../services/cli-services.js';
import { EchoTextPlugin, type EchoTextPluginOptions } from './echo-text-plugin.js';
import { InMemoryModelHost } from './in-memory-model-host.js';

/** {@link CliServices} over an {@link EchoTextPlugin}, with canned plugin, model, machine and download answers. */
export function createFakeServices(pluginOptions: EchoTextPluginOptions = {}): CliServices & { hosts: InMemoryModelHost[] } {
  const hosts: InMemoryModelHost[] = [];
  return {
    hosts,
    async listPlugins() {
      const { metadata } = new EchoTextPlugin();
      return { plugins: [{ ...metadata, packageName: 'pio-plugin-echo', trustLevel: 'verified' }], problems: ['pio-plugin-broken: invalid manifest'] };
    },
    async listLocalModels() {
      return {
        models: [
          {
            id: 'tiny-org/echo',
            path: '/cache/models--tiny-org--echo/snapshots/abcdef0123456789abcdef0123456789abcdef01',
            source: 'hf-cache',
            revision: 'abcdef0123456789abcdef0123456789abcdef01',
            refs: ['main'],
            sizeBytes: 3 * 2 ** 20,
            plugin: { name: 'echo', version: '0.0.0', packageName: 'pio-plugin-echo' },
          },
          { id: '/models/unknown', path: '/models/unknown', source: 'models-dir', sizeBytes: 512, plugin: null, problem: 'config.json is not valid JSON' },
        ],
        totalBytes: 3 * 2 ** 20 + 512,
        searched: ['/models', '/cache'],
      };
    },
    async describeModel(source) {
      const plugin = new EchoTextPlugin();
      return {
        source,
        path: `/models/${source}`,
        plugin: { name: 'echo', version: '0.0.0', packageName: 'pio-plugin-echo' },
        architecture: 'EchoForCausalLM',
        modelType: 'echo',
        summary: [['hidden size', '64']],
        parameters: 1000,
        estimates: [plugin.estimateMemory({}, 'float32')],
        fit: {
          ok: true,
          device: 'cpu',
          storage: 'float32',
          reason: 'float32 on cpu, the most precise option.',
          backend: 'ggml (ggml-cpu, 4 threads): the native ggml build loaded',
          runtime: { device: 'cpu', storage: 'float32', backend: 'ggml', engine: 'ggml-cpu', threads: 4 },
        },
      };
    },
    async analyzeHardware() {
      return {
        platform: 'linux',
        arch: 'x64',
        node: '20.0.0',
        cpu: { model: 'Test CPU', cores: 2 },
        memory: { totalBytes: 8 * 2 ** 30, freeBytes: 2 * 2 ** 30 },
        gpus: [{ index: 0, name: 'NVIDIA Test', memoryTotalBytes: 2 ** 34, memoryFreeBytes: 2 ** 33 }],
        engines: [
          { packageName: '@pio/backend-ggml', installed: false },
          { packageName: '@tensorflow/tfjs-node-gpu', installed: false },
          { packageName: '@tensorflow/tfjs-node', installed: false },
          { packageName: '@tensorflow/tfjs-backend-wasm', installed: true, version: '4.22.0' },
        ],
      };
    },
    async hasModel(source) {
      return !source.startsWith('missing/');
    },
    async downloadModel(repoId, options) {
      const total = 4000;
      options.onProgress?.({ type: 'file-start', file: 'model.safetensors', bytes: 0, totalBytes: total, filesDone: 0, filesTotal: 1, resumedFrom: 1000 });
      for (const bytes of [1000, 2000, 3000, 4000]) {
        options.onProgress?.({ type: 'progress', file: 'model.safetensors', bytes, totalBytes: total, filesDone: 0, filesTotal: 1 });
      }
      options.onProgress?.({ type: 'file-done', file: 'model.safetensors', bytes: total, totalBytes: total, filesDone: 1, filesTotal: 1 });
      return { path: `/cache/models--${repoId.replace('/', '--')}/snapshots/abc` };
    },
    createHost(hostOptions) {
      const host = new InMemoryModelHost({ echo: () => new EchoTextPlugin(pluginOptions) }, hostOptions.limits ? { limits: hostOptions.limits } : {});
      hosts.push(host);
      return host;
    },
  };
}
