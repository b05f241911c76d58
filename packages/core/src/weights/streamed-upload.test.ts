import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import type { Backend, Weight } from '../backend/backend.js';
import type { HostTensor } from '../backend/host-tensor.js';
import type { WeightOptions } from '../backend/weight-storage.js';
import type { WeightWriter } from '../backend/weight-writer.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import type { Checkpoint } from './checkpoint.js';
import { createWeightSource } from './create-weight-source.js';
import { encodeHostTensor } from './encode-host-tensor.js';
import { openCheckpoint } from './open-checkpoint.js';
import { writeSafetensors } from './write-safetensors.js';

const PART_BYTES = 8192;

/** Values 0, 1, 2, … (exact in BF16 up to 256, so every dtype stores them bit for bit). */
const ramp = (n: number, offset: number) => Float32Array.from({ length: n }, (_, i) => (i + offset) % 256);

/** name → [dtype, shape]: rows of 256 B (F32) and 96 B (BF16), one row over the part size, a bias, a scalar. */
const TENSORS: Record<string, ['F32' | 'BF16' | 'F16', number[]]> = {
  'a.weight': ['F32', [300, 64]],
  'b.weight': ['BF16', [1000, 48]],
  'wide.weight': ['F16', [2, 5000]],
  'a.bias': ['F32', [64]],
  scale: ['F32', []],
};

const expectedBytes = new Map<string, Uint8Array>();
const dir = makeTempDir('pio-streamed-');
beforeAll(async () => {
  const tensors: Record<string, HostTensor> = {};
  for (const [i, [name, [dtype, shape]]] of Object.entries(TENSORS).entries()) {
    tensors[name] = encodeHostTensor(
      ramp(
        shape.reduce((a, b) => a * b, 1),
        i * 7,
      ),
      shape,
      dtype,
    );
    expectedBytes.set(name, tensors[name].bytes);
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
});
/** A backend whose `beginWeight` writers gather the parts they get; `weight` must not be called. */
function streamingBackend() {
  const parts: Array<{ name: string; bytes: number }> = [];
  const received = new Map<string, Uint8Array>();
  const aborted: string[] = [];
  const beginWeight = (host: Omit<HostTensor, 'bytes'>, options: WeightOptions = {}): WeightWriter => {
    const perRow = host.shape.length === 0 ? 1 : host.shape[host.shape.length - 1];
    const rowBytes = perRow * (host.dtype === 'F32' ? 4 : 2);
    const rows = host.shape.reduce((a, b) => a * b, 1) / perRow;
    const all = new Uint8Array(rows * rowBytes);
    let at = 0;
    const name = options.name ?? '?';
    return {
      rowBytes,
      rows,
      write(bytes) {
        expect(bytes.byteLength % rowBytes).toBe(0);
        parts.push({ name, bytes: bytes.byteLength });
        all.set(bytes, at); // copied: the caller reuses its buffer
        at += bytes.byteLength;
      },
      finish() {
        expect(at).toBe(all.byteLength);
        received.set(name, all);
        return {
          shape: host.shape,
          dtype: 'float32',
          storage: 'float32',
          byteSize: all.byteLength,
          isDisposed: false,
          data: async () => new Float32Array(0),
          dispose: () => undefined,
        } as Weight;
      },
      abort: () => void aborted.push(name),
    };
  };
  const weight = () => {
    throw new Error('a streamed load must not call weight()');
  };
  return { backend: { beginWeight, weight } as unknown as Backend, parts, received, aborted };
}

/** Wraps a checkpoint to record whole reads and the buffers partial reads fill. */
function spyReads(checkpoint: Checkpoint) {
  const whole: string[] = [];
  const targets: Uint8Array[] = [];
  const spy = Object.create(checkpoint) as Checkpoint;
  spy.read = (name) => {
    whole.push(name);
    return checkpoint.read(name);
  };
  spy.readRange = (name, offset, target) => {
    targets.push(target);
    return checkpoint.readRange!(name, offset, target);
  };
  return { checkpoint: spy, whole, targets };
}

describe('streamed weight loading', () => {
  it('reads each tensor in whole-row parts through one reused buffer of about partBytes, never whole', async () => {
    const opened = await openCheckpoint(dir);
    const { checkpoint, whole, targets } = spyReads(opened);
    const { backend, parts, received } = streamingBackend();
    const source = createWeightSource(backend, checkpoint, { partBytes: PART_BYTES });
    for (const name of Object.keys(TENSORS)) await source.take(name);
    await opened.close();

    expect(whole).toEqual([]);
    for (const [name, bytes] of expectedBytes) expect(received.get(name), name).toEqual(bytes);
    // the loader's host memory: one buffer of partBytes, replaced once by a larger one when a row is wider
    const wideRow = 5000 * 2;
    const buffers = [...new Set(targets.map((t) => t.buffer))];
    expect(buffers.map((b) => b.byteLength)).toEqual([PART_BYTES, wideRow]);
    for (const { name, bytes } of parts) expect(bytes, name).toBeLessThanOrEqual(name === 'wide.weight' ? wideRow : PART_BYTES);
    // a.weight: 300 rows of 256 B in parts of 32 rows (8192 B); b.weight: 1000 rows of 96 B in parts of 85 rows
    expect(parts.filter((p) => p.name === 'a.weight').map((p) => p.bytes)).toEqual([...Array(9).fill(8192), 12 * 256]);
    expect(parts.filter((p) => p.name === 'b.weight').length).toBe(Math.ceil(1000 / 85));
    const report = source.report();
    expect(report.loaded).toBe(5);
    expect(report.bytes).toBe([...expectedBytes.values()].reduce((a, b) => a + b.byteLength, 0));
  });

  it('upload (lazy, after the load) streams too and is left out of the load progress and report', async () => {
    const opened = await openCheckpoint(dir);
    const { checkpoint, whole, targets } = spyReads(opened);
    const { backend, received } = streamingBackend();
    const progress: string[] = [];
    const source = createWeightSource(backend, checkpoint, { partBytes: PART_BYTES, onProgress: (p) => progress.push(p.name) });
    const weight = await source.upload('b.weight', { shape: [1000, 48], name: 'b.weight' });
    await opened.close();
    expect(weight.byteSize).toBe(1000 * 48 * 2);
    expect(received.get('b.weight')).toEqual(expectedBytes.get('b.weight'));
    expect(whole).toEqual([]);
    expect(targets.length).toBe(Math.ceil(1000 / 85));
    expect(progress).toEqual([]);
    const report = source.report();
    expect([report.loaded, report.bytes]).toEqual([0, 0]);
    expect(report.unexpected).not.toContain('b.weight');
  });

  it('aborts the partly written weight when the load is aborted or a read fails', async () => {
    const opened = await openCheckpoint(dir);
    const { backend, aborted } = streamingBackend();
    const controller = new AbortController();
    const spy = Object.create(opened) as Checkpoint;
    spy.readRange = async (name, offset, target) => {
      await opened.readRange!(name, offset, target);
      if (offset > 0) controller.abort(new Error('stop'));
    };
    const source = createWeightSource(backend, spy, { partBytes: PART_BYTES, signal: controller.signal });
    await expect(source.take('a.weight')).rejects.toThrow('stop');
    expect(aborted).toEqual(['a.weight']);

    const failing = Object.create(opened) as Checkpoint;
    failing.readRange = async (name, offset, target) => {
      if (offset > 0) throw new Error('disk gone');
      await opened.readRange!(name, offset, target);
    };
    const again = createWeightSource(backend, failing, { partBytes: PART_BYTES });
    await expect(again.take('b.weight')).rejects.toThrow('disk gone');
    expect(aborted).toEqual(['a.weight', 'b.weight']);
    await opened.close();
  });

  it('readRange rejects a range outside the tensor with CheckpointError (bad-range)', async () => {
    const checkpoint = await openCheckpoint(dir);
    const error = await checkpoint.readRange!('a.bias', 200, new Uint8Array(100)).catch((e: unknown) => e);
    expect(CheckpointError.isInstance(error) && error.problem).toBe('bad-range');
    const part = new Uint8Array(16);
    await checkpoint.readRange!('a.bias', 240, part);
    expect(part).toEqual(expectedBytes.get('a.bias')!.subarray(240, 256));
    await checkpoint.close();
  });
});
