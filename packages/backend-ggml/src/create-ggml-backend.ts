import { availableParallelism } from 'node:os';
import { deviceKind, selectBinaries, selectDevice, type GgmlDeviceInfo } from './device/select-device.js';
import { GgmlBackend } from './ggml-backend.js';
import type { GgmlBackendOptions } from './ggml-backend-options.js';
import { GraphRuntime } from './graph/graph-runtime.js';
import { checkThreadsOption } from './runtime/check-threads-option.js';
import { attachCpuThreadpool } from './runtime/cpu-threadpool.js';
import { loadGgml } from './runtime/load-ggml.js';
import { locateBinaries } from './runtime/locate-binaries.js';
import { WeightRepack } from './weights/weight-repack.js';

/**
 * Creates a ggml backend: finds the installed `@node-llama-cpp/<platform>` build, loads it with koffi, picks the
 * device and sets the CPU thread count (on the CPU, one persistent ggml threadpool per backend).
 *
 * @throws `InvalidConfigError` (from `@pio/core`) when `threads` is set but not a positive integer, before anything
 * loads; `GgmlUnavailableError` when koffi or a ggml build for this platform is missing; `GgmlDeviceError` when the
 * requested device is not present.
 */
export async function createGgmlBackend(options: GgmlBackendOptions = {}): Promise<GgmlBackend> {
  const threads = checkThreadsOption(options.threads, 'createGgmlBackend options') ?? availableParallelism();
  const request = options.device ?? 'auto';
  const installed = locateBinaries({ resolve: options.resolvePackage });
  const { api, binaries } = await loadGgml(selectBinaries(request, installed), options.onLog);
  const devices: GgmlDeviceInfo[] = [];
  for (let i = 0; i < api.ggml_backend_dev_count(); i++) {
    const dev = api.ggml_backend_dev_get(i);
    devices.push({
      name: api.ggml_backend_dev_name(dev),
      description: api.ggml_backend_dev_description(dev),
      kind: deviceKind(api.ggml_backend_dev_type(dev)),
    });
  }
  const index = selectDevice(request, devices);
  const dev = api.ggml_backend_dev_get(index);
  const backend = api.ggml_backend_dev_init(dev, null);
  const setThreads = api.ggml_backend_reg_get_proc_address(api.ggml_backend_dev_backend_reg(dev), 'ggml_backend_set_n_threads');
  if (setThreads) api.callSetThreads(setThreads, backend, threads);
  const chosen = devices[index];
  const freeThreadpool = chosen.kind === 'cpu' ? attachCpuThreadpool(api, dev, backend, threads) : undefined;
  const engine = chosen.kind === 'cpu' ? 'ggml-cpu' : `ggml-${binaries.flavor === 'cpu' ? chosen.name.toLowerCase() : binaries.flavor}`;
  const repack =
    options.repackWeights === false
      ? WeightRepack.none(api, dev, 'plain weights: repackWeights is false')
      : chosen.kind !== 'cpu'
        ? WeightRepack.none(api, dev, `plain weights: the device is a ${chosen.kind.toUpperCase()} (${chosen.name})`)
        : WeightRepack.probe(api, dev);
  const runtime = new GraphRuntime(api, backend, {
    reuseGraphs: options.reuseGraphs ?? true,
    flashAttention: options.flashAttention ?? 'auto',
    computeThread: options.computeThread ?? 'worker',
    repack,
    afterFree: freeThreadpool,
  });
  return new GgmlBackend(runtime, { engine, device: chosen.kind === 'cpu' ? 'cpu' : 'gpu', threads, weightRepack: repack.info });
}
