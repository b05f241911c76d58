import type { Backend, Weight } from '../backend/backend.js';
import type { HostTensor } from '../backend/host-tensor.js';
import type { WeightOptions } from '../backend/weight-storage.js';
import { WeightLoadError } from '../errors/weight-load-error.js';
import { WeightShapeError } from '../errors/weight-shape-error.js';
import type { WeightSource } from '../nn/weight-source.js';

/** A tensor for {@link createInMemoryWeightSource}: a {@link HostTensor}, or float values stored as F32. */
export type InMemoryTensor = HostTensor | { readonly shape: readonly number[]; readonly values: ArrayLike<number> };

/** A {@link WeightSource} over tensors held in memory, which records what was taken. */
export interface InMemoryWeightSource extends WeightSource {
  /** Names taken so far. */
  readonly taken: ReadonlySet<string>;
  /** Names never taken. */
  untaken(): string[];
}

const MODEL_DIR = '<in-memory weights>';

function toHost(tensor: InMemoryTensor): HostTensor {
  if ('bytes' in tensor) return tensor;
  const f32 = Float32Array.from(tensor.values);
  return { dtype: 'F32', shape: [...tensor.shape], bytes: new Uint8Array(f32.buffer) };
}

/**
 * A tiny {@link WeightSource} for tests: `take` uploads the named tensor with `backend.weight`, throwing
 * `WeightLoadError` when it is absent and `WeightShapeError` when its shape differs from the requested one.
 */
export function createInMemoryWeightSource(backend: Backend, tensors: Readonly<Record<string, InMemoryTensor>>): InMemoryWeightSource {
  const hosts = new Map(Object.entries(tensors).map(([name, t]) => [name, toHost(t)] as const));
  const taken = new Set<string>();
  const upload = (name: string, options: WeightOptions & { shape?: readonly number[] }): Weight => {
    const host = hosts.get(name);
    if (!host) throw new WeightLoadError({ modelDir: MODEL_DIR, missing: [name] });
    const { shape, ...weightOptions } = options;
    if (shape && (shape.length !== host.shape.length || shape.some((d, i) => d !== host.shape[i]))) {
      throw new WeightShapeError({ tensor: name, checkpointName: name, expected: shape, found: host.shape, modelDir: MODEL_DIR });
    }
    taken.add(name);
    return backend.weight(host, { ...weightOptions, name });
  };
  return {
    taken,
    untaken: () => [...hosts.keys()].filter((name) => !taken.has(name)),
    has: (name) => hosts.has(name),
    take: async (name, options = {}) => upload(name, options),
    takeOptional: async (name, options = {}) => (hosts.has(name) ? upload(name, options) : undefined),
  };
}
