import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import type { Backend, Weight } from '../backend/backend.js';
import type { HostTensor } from '../backend/host-tensor.js';
import { decodeHostTensor } from '../backend/host-tensor-decode.js';
import type { WeightOptions } from '../backend/weight-storage.js';
import { WeightLoadError } from '../errors/weight-load-error.js';
import { WeightRenameError } from '../errors/weight-rename-error.js';
import { WeightShapeError } from '../errors/weight-shape-error.js';
import type { Checkpoint } from './checkpoint.js';
import { createWeightSource } from './create-weight-source.js';
import { encodeHostTensor } from './encode-host-tensor.js';
import type { LoadProgress } from './load-progress.js';
import { openCheckpoint } from './open-checkpoint.js';
import { renameWeight, type WeightRenameTable } from './weight-rename-table.js';
import { writeSafetensors } from './write-safetensors.js';

const FIXTURE_DIR = new URL('../__fixtures__/glm47flash-tiny-grouped/', import.meta.url).pathname;

/** A backend that only implements `weight` (all a weight source calls), recording each upload. */
function recordingBackend() {
  const uploads: Array<{ host: HostTensor; options: WeightOptions }> = [];
  const weight = (host: HostTensor, options: WeightOptions = {}): Weight => {
    uploads.push({ host, options });
    const values = decodeHostTensor(host);
    return {
      shape: host.shape,
      dtype: 'float32',
      storage: options.storage ?? 'float32',
      byteSize: values.length * 4,
      isDisposed: false,
      data: async () => values,
      dispose: () => undefined,
    };
  };
  return { backend: { weight } as unknown as Backend, uploads };
}

/** Wraps a checkpoint to record which tensors are read. */
function spyReads(checkpoint: Checkpoint): { checkpoint: Checkpoint; reads: string[] } {
  const reads: string[] = [];
  const spy = Object.create(checkpoint) as Checkpoint;
  spy.read = (name: string) => {
    reads.push(name);
    return checkpoint.read(name);
  };
  return { checkpoint: spy, reads };
}

const dir = makeTempDir('pio-source-');
let withMtp: string;
beforeAll(async () => {
  // The fixture plus a multi-token-prediction layer `model.layers.3.*` that inference ignores (as in GLM-4.7-Flash).
  const source = await openCheckpoint(FIXTURE_DIR);
  const tensors: Record<string, HostTensor> = {};
  for (const name of source.names()) tensors[name] = await source.read(name);
  await source.close();
  tensors['model.layers.3.eh_proj.weight'] = encodeHostTensor(new Float32Array(64 * 128), [64, 128], 'F32');
  tensors['model.layers.3.enorm.weight'] = encodeHostTensor(new Float32Array(64), [64], 'F32');
  withMtp = join(dir, 'mtp');
  await mkdir(withMtp);
  await writeSafetensors(join(withMtp, 'model.safetensors'), tensors);
});
const RENAME: WeightRenameTable = [
  [/^model\.layers\.(\d+)\.mlp\.experts\.(\d+)\./, 'layers.$1.moe.experts.$2.'],
  ['model.layers.', 'layers.'],
  ['model.', ''],
];

describe('renameWeight', () => {
  it('applies the first matching rule: RegExp with groups, then string prefixes', () => {
    expect(renameWeight('model.layers.1.mlp.experts.7.up_proj.weight', RENAME)).toBe('layers.1.moe.experts.7.up_proj.weight');
    expect(renameWeight('model.layers.0.input_layernorm.weight', RENAME)).toBe('layers.0.input_layernorm.weight');
    expect(renameWeight('model.norm.weight', RENAME)).toBe('norm.weight');
    expect(renameWeight('lm_head.weight', RENAME)).toBe('lm_head.weight');
  });
});

describe('createWeightSource', () => {
  it('loads every fixture tensor through the rename table, uploads checkpoint values and reports a complete load', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    const { backend, uploads } = recordingBackend();
    const progress: LoadProgress[] = [];
    const source = createWeightSource(backend, checkpoint, { rename: RENAME, onProgress: (p) => progress.push(p) });
    expect(source.has('model.norm.weight')).toBe(false);
    expect(source.has('norm.weight')).toBe(true);
    expect(source.names()).toHaveLength(91);

    const embed = await source.take('embed_tokens.weight', { role: 'embedding', shape: [512, 64] });
    const expected = decodeHostTensor(await checkpoint.read('model.embed_tokens.weight'));
    expect([...(await embed.data())]).toEqual([...expected]);
    expect(uploads[0].options).toMatchObject({ role: 'embedding', name: 'model.embed_tokens.weight' });

    for (const name of source.names()) if (name !== 'embed_tokens.weight') await source.take(name);
    const report = source.report();
    expect(report).toEqual({ missing: [], unexpected: [], unused: [], loaded: 91, bytes: 990880, backendBytes: 990880 });
    expect(() => source.assertComplete()).not.toThrow();
    expect(progress).toHaveLength(91);
    expect(progress.at(-1)).toMatchObject({ loaded: 91, total: 91, bytes: 990880, totalBytes: 990880 });
    await checkpoint.close();
  });

  it('never reads declared-unused tensors (the MTP layer) and lists them as unused', async () => {
    const opened = await openCheckpoint(withMtp);
    const { checkpoint, reads } = spyReads(opened);
    const source = createWeightSource(recordingBackend().backend, checkpoint, { unused: ['model.layers.3.'] });
    expect(source.has('model.layers.3.enorm.weight')).toBe(false);
    expect(await source.takeOptional('model.layers.3.enorm.weight')).toBeUndefined();
    for (const name of source.names()) await source.take(name);
    expect(reads.some((r) => r.startsWith('model.layers.3.'))).toBe(false);
    const report = source.report();
    expect(report.unused.toSorted()).toEqual(['model.layers.3.eh_proj.weight', 'model.layers.3.enorm.weight']);
    expect(report.unexpected).toEqual([]);
    expect(report.missing).toEqual([]);
    source.assertComplete();
    await opened.close();
  });

  it('reports tensors never taken as unexpected and throws listing the first 20 and a count', async () => {
    const checkpoint = await openCheckpoint(withMtp);
    const source = createWeightSource(recordingBackend().backend, checkpoint);
    await source.take('lm_head.weight');
    await source.readHost('model.norm.weight');
    source.claim('model.layers.1.mlp.experts.0.up_proj.weight', { shape: [32, 64] });
    const { unexpected, loaded } = source.report();
    expect(loaded).toBe(1);
    expect(unexpected).toHaveLength(93 - 3);
    expect(unexpected).toContain('model.layers.3.enorm.weight');
    expect(unexpected).not.toContain('model.norm.weight');
    const error = (() => {
      try {
        source.assertComplete();
      } catch (e) {
        return e;
      }
    })();
    expect(WeightLoadError.isInstance(error)).toBe(true);
    const typed = error as WeightLoadError;
    expect(typed.unexpected).toHaveLength(90);
    expect(typed.message).toContain('(+70 more)');
    expect(typed.message).toContain(unexpected[19]);
    expect(typed.message).not.toContain(unexpected[20]);
    await checkpoint.close();
  });

  it('throws WeightLoadError naming a missing tensor and the folder, and records it', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    const source = createWeightSource(recordingBackend().backend, checkpoint, { rename: RENAME });
    const error = await source.take('layers.0.mlp.nope.weight').catch((e: unknown) => e);
    expect(WeightLoadError.isInstance(error)).toBe(true);
    expect((error as WeightLoadError).missing).toEqual(['layers.0.mlp.nope.weight']);
    expect((error as WeightLoadError).message).toContain(checkpoint.dir);
    expect(await source.takeOptional('layers.0.self_attn.q_proj.bias')).toBeUndefined();
    await expect(source.readHost('absent')).rejects.toSatisfy(WeightLoadError.isInstance);
    expect(source.report().missing).toEqual(['layers.0.mlp.nope.weight', 'absent']);
    await checkpoint.close();
  });

  it('throws WeightShapeError with both names and both shapes', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    const source = createWeightSource(recordingBackend().backend, checkpoint, { rename: RENAME });
    const error = await source.take('layers.0.mlp.down_proj.weight', { role: 'linear', shape: [96, 64] }).catch((e: unknown) => e);
    expect(WeightShapeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      tensor: 'layers.0.mlp.down_proj.weight',
      checkpointName: 'model.layers.0.mlp.down_proj.weight',
      expected: [96, 64],
      found: [64, 96],
    });
    await checkpoint.close();
  });

  it('applies the default storage to linear and embedding weights, and a per-name function to all', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    const { backend, uploads } = recordingBackend();
    const source = createWeightSource(backend, checkpoint, { storage: 'int8' });
    await source.take('lm_head.weight', { role: 'linear' });
    await source.take('model.norm.weight');
    await source.take('model.embed_tokens.weight', { role: 'embedding', storage: 'bfloat16' });
    expect(uploads.map((u) => u.options.storage)).toEqual(['int8', undefined, 'bfloat16']);

    const second = recordingBackend();
    const perName = createWeightSource(second.backend, checkpoint, {
      storage: (name, role) => (name.includes('experts') ? 'int4' : role === 'plain' ? 'float16' : undefined),
    });
    await perName.take('model.layers.1.mlp.experts.3.gate_proj.weight', { role: 'linear' });
    await perName.take('model.norm.weight');
    await perName.take('lm_head.weight', { role: 'linear' });
    expect(second.uploads.map((u) => u.options.storage)).toEqual(['int4', 'float16', undefined]);
    await checkpoint.close();
  });

  it('refuses a rename table that maps two tensors to one name', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    const error = (() => {
      try {
        createWeightSource(recordingBackend().backend, checkpoint, { rename: [['model.embed_tokens.', 'lm_head.']] });
      } catch (e) {
        return e;
      }
    })();
    expect(WeightRenameError.isInstance(error)).toBe(true);
    expect((error as WeightRenameError).target).toBe('lm_head.weight');
    await checkpoint.close();
  });

  it('stops when the signal aborts', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    const controller = new AbortController();
    const source = createWeightSource(recordingBackend().backend, checkpoint, { signal: controller.signal });
    await source.take('lm_head.weight');
    controller.abort(new Error('stop'));
    await expect(source.take('model.norm.weight')).rejects.toThrow('stop');
    expect(source.report().loaded).toBe(1);
    await checkpoint.close();
  });
});
