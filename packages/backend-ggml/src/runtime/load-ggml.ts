import { GgmlUnavailableError } from '../errors/ggml-unavailable-error.js';
import { bindGgml, type KoffiModule } from './bind-ggml.js';
import type { GgmlApi } from './ggml-api.js';
import { binaryPackages, type GgmlBinaries } from './locate-binaries.js';

/** A loaded ggml build. */
export interface LoadedGgml {
  /** The bound C API. */
  api: GgmlApi;
  /** Where it came from. */
  binaries: GgmlBinaries;
}

const loaded = new Map<string, LoadedGgml>();

/**
 * koffi runs a C function on a stack of its own, for async calls (graph computations run that way, see
 * `GgmlApi.graphComputeAsync`) 128 KiB by default against 2 MiB for calls on the main thread: ggml's CPU kernels
 * get the same room either way. koffi takes settings only before its first library is loaded in the process; when
 * another module loaded one first, its settings stay.
 */
function giveAsyncCallsRoom(koffi: KoffiModule): void {
  try {
    const config = koffi.config();
    if (config.async_stack_size < config.sync_stack_size) koffi.config({ async_stack_size: config.sync_stack_size });
  } catch {
    // a library was loaded already: koffi keeps its settings
  }
}

/**
 * Loads `koffi`, binds `libggml` from `binaries` and registers the backends in its folder
 * (`ggml_backend_load_all_from_path`, which picks the best `libggml-cpu-*` variant for this CPU by its score).
 * Loading is cached per library path: a process loads each build once.
 *
 * @param onLog - Receives ggml's log lines printed while loading (otherwise discarded).
 */
export async function loadGgml(binaries: GgmlBinaries | undefined, onLog?: (line: string) => void): Promise<LoadedGgml> {
  const platform = `${process.platform}-${process.arch}`;
  const packages = binaryPackages(process.platform, process.arch).map(([name]) => name);
  if (!binaries) throw new GgmlUnavailableError({ platform, packages, reason: 'no @node-llama-cpp package with ggml libraries is installed' });
  const cached = loaded.get(binaries.ggmlPath);
  if (cached) return cached;
  let koffi: KoffiModule;
  try {
    koffi = ((await import('koffi')) as unknown as { default: KoffiModule }).default;
  } catch (cause) {
    throw new GgmlUnavailableError({ platform, packages, reason: 'the optional dependency koffi is not installed' }, { cause });
  }
  giveAsyncCallsRoom(koffi);
  let api: GgmlApi;
  try {
    api = bindGgml(koffi, binaries.ggmlPath);
  } catch (cause) {
    throw new GgmlUnavailableError({ platform, packages, reason: `${binaries.ggmlPath} failed to load: ${String(cause)}` }, { cause });
  }
  if (!api.layoutMatches()) {
    throw new GgmlUnavailableError({
      platform,
      packages,
      reason: `${binaries.ggmlPath} has a struct ggml_tensor layout this version of @pio/backend-ggml does not know; install @node-llama-cpp 3.22.1`,
    });
  }
  const lib = koffi.load(binaries.ggmlPath);
  const logProto = koffi.proto('void pio_ggml_log(int level, const char *text, void *user)');
  const logSet = lib.func('void ggml_log_set(pio_ggml_log *cb, void *user)');
  let sink: ((line: string) => void) | undefined;
  // registered once for the process: ggml's default logger prints every line (debug ones too) to stderr
  const callback = koffi.register((_level: number, text: string) => sink?.(text.trimEnd()), koffi.pointer(logProto));
  api.withLogSink = <T>(to: ((line: string) => void) | undefined, fn: () => T): T => {
    const previous = sink;
    sink = to;
    logSet(callback, null);
    try {
      return fn();
    } finally {
      sink = previous;
      if (previous === undefined) logSet(null, null);
    }
  };
  api.withLogSink(onLog, () => api.ggml_backend_load_all_from_path(binaries.dir));
  if (api.ggml_backend_dev_count() === 0) {
    throw new GgmlUnavailableError({ platform, packages, reason: `no ggml backend in ${binaries.dir} runs on this machine` });
  }
  const result = { api, binaries };
  loaded.set(binaries.ggmlPath, result);
  return result;
}
