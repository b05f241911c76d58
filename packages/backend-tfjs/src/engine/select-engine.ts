import { EngineUnavailableError } from '../errors/engine-unavailable-error.js';
import type { ActiveEngine } from './active-engine.js';
import { ENGINE_CANDIDATES, type EngineCandidate } from './engine-candidates.js';
import type { TfjsDevice, TfjsEngineName } from './engine-kinds.js';
import { defaultModuleResolver, type ModuleResolver } from './module-resolver.js';

/** Options for {@link selectEngine}. */
export interface SelectEngineOptions {
  /** Loads engine packages; default {@link defaultModuleResolver}. */
  resolve?: ModuleResolver;
  /** Requested wasm threads (see `TfjsBackendOptions.wasmThreads`). */
  wasmThreads?: number;
  /** Engines to choose from, best first; default every engine. Tests replace them. */
  candidates?: readonly EngineCandidate[];
}

const DEVICE_ENGINE: Readonly<Record<Exclude<TfjsDevice, 'auto'>, TfjsEngineName>> = {
  gpu: 'tfjs-node-gpu',
  cpu: 'tfjs-node',
  wasm: 'tfjs-wasm',
  js: 'tfjs-cpu',
};

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function tryCandidate(candidate: EngineCandidate, resolve: ModuleResolver, requireGpu: boolean, wasmThreads?: number): Promise<ActiveEngine> {
  const modules: unknown[] = [];
  for (const specifier of candidate.specifiers) {
    try {
      modules.push(await resolve(specifier));
    } catch (error) {
      const reason = isNotFound(error) ? `${specifier} is not installed` : `${specifier} failed to load: ${messageOf(error)}`;
      throw new EngineUnavailableError({ engine: candidate.name, reason }, { cause: error });
    }
  }
  try {
    return await candidate.activate(modules, { requireGpu, wasmThreads });
  } catch (error) {
    throw new EngineUnavailableError({ engine: candidate.name, reason: messageOf(error) }, { cause: error });
  }
}

/**
 * Loads and activates the engine for `device`: the named one (or an {@link EngineUnavailableError} saying how to
 * install it), or for `auto` the first that works in the order tfjs-node-gpu, tfjs-node, tfjs-wasm, tfjs-cpu.
 */
export async function selectEngine(device: TfjsDevice = 'auto', options: SelectEngineOptions = {}): Promise<ActiveEngine> {
  const resolve = options.resolve ?? defaultModuleResolver;
  const candidates = options.candidates ?? ENGINE_CANDIDATES;
  if (device !== 'auto') {
    const name = DEVICE_ENGINE[device];
    const candidate = candidates.find((c) => c.name === name);
    if (name === undefined || candidate === undefined) {
      const known = Object.keys(DEVICE_ENGINE).join("', '");
      throw new EngineUnavailableError({ engine: 'tfjs-cpu', reason: `unknown device '${String(device)}'; use 'auto', '${known}'` });
    }
    return tryCandidate(candidate, resolve, device === 'gpu', options.wasmThreads);
  }
  const failures: EngineUnavailableError[] = [];
  for (const candidate of candidates) {
    try {
      return await tryCandidate(candidate, resolve, false, options.wasmThreads);
    } catch (error) {
      failures.push(error as EngineUnavailableError);
    }
  }
  const last = failures[failures.length - 1];
  throw new EngineUnavailableError(
    { engine: last?.engine ?? 'tfjs-cpu', reason: `no engine could start: ${failures.map((f) => `${f.engine}: ${f.reason}`).join('; ')}` },
    { cause: new AggregateError(failures, 'every tfjs engine failed') },
  );
}
