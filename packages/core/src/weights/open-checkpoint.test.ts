import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import type { HostTensor } from '../backend/host-tensor.js';
import { decodeHostTensor } from '../backend/host-tensor-decode.js';
import { CheckpointError, type CheckpointProblem } from '../errors/checkpoint-error.js';
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';
import { encodeHostTensor } from './encode-host-tensor.js';
import { openCheckpoint } from './open-checkpoint.js';
import { openSafetensors } from './safetensors-file.js';
import { writeSafetensors } from './write-safetensors.js';

const FIXTURE_DIR = new URL('../__fixtures__/glm47flash-tiny-grouped/', import.meta.url).pathname;
const F32_IN_BF16 = /e_score_correction_bias$/;

/** Nearest bfloat16 of a float32 value, ties to even, decided in float64 arithmetic (independent of the code under test). */
function referenceBf16(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  const bits = view.getUint32(0, true);
  const lo = bits >>> 16;
  const hi = lo + 1;
  const value = (b: number) => {
    view.setUint32(0, (b << 16) >>> 0, true);
    return view.getFloat32(0, true);
  };
  const dLo = Math.abs(x - value(lo));
  const dHi = Math.abs(value(hi) - x);
  return dLo < dHi ? value(lo) : dHi < dLo ? value(hi) : value(lo % 2 === 0 ? lo : hi);
}

const dir = makeTempDir('pio-checkpoint-');
let fixture: Map<string, HostTensor>;
beforeAll(async () => {
  const file = await openSafetensors(join(FIXTURE_DIR, 'model.safetensors'));
  fixture = new Map();
  for (const name of file.names()) fixture.set(name, await file.read(name));
  await file.close();
});
async function folder(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  return path;
}

/** Writes the fixture as `shards` files plus an index; returns the folder and the weight map. */
async function writeSharded(name: string, shards = 3): Promise<{ path: string; weightMap: Record<string, string> }> {
  const path = await folder(name);
  const names = [...fixture.keys()];
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const shardName = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = names.filter((_, i) => i % shards === s);
    await writeSafetensors(join(path, shardName), Object.fromEntries(part.map((n) => [n, fixture.get(n)!])), { format: 'pt' });
    for (const n of part) weightMap[n] = shardName;
  }
  await writeFile(join(path, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 990880 }, weight_map: weightMap }));
  return { path, weightMap };
}

async function expectCheckpointProblem(path: string, problem: CheckpointProblem): Promise<CheckpointError> {
  const error = await openCheckpoint(path).catch((e: unknown) => e);
  expect(CheckpointError.isInstance(error), `expected CheckpointError(${problem}), got ${String(error)}`).toBe(true);
  expect((error as CheckpointError).problem).toBe(problem);
  return error as CheckpointError;
}

describe('openCheckpoint', () => {
  it('opens the single-file F32 fixture', async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    expect(checkpoint.files).toEqual([join(FIXTURE_DIR, 'model.safetensors')]);
    expect(checkpoint.names()).toEqual([...fixture.keys()]);
    expect(checkpoint.totalBytes).toBe(1000768 - 8 - 9880);
    expect([...checkpoint.storageDtypes]).toEqual(['F32']);
    expect(checkpoint.info('model.embed_tokens.weight')).toEqual({ dtype: 'F32', shape: [512, 64], byteLength: 131072 });
    await checkpoint.close();
  });

  it('opens a BF16 copy with F32 router biases: same names and shapes, values equal to the rounded F32 values', async () => {
    const path = await folder('bf16');
    const converted: Record<string, HostTensor> = {};
    for (const [name, host] of fixture) {
      converted[name] = F32_IN_BF16.test(name) ? host : encodeHostTensor(decodeHostTensor(host) as Float32Array, host.shape, 'BF16');
    }
    await writeSafetensors(join(path, 'model.safetensors'), converted, { format: 'pt' });

    const checkpoint = await openCheckpoint(path);
    expect(new Set(checkpoint.names())).toEqual(new Set(fixture.keys()));
    expect(checkpoint.storageDtypes).toEqual(new Set(['BF16', 'F32']));
    let biases = 0;
    for (const [name, original] of fixture) {
      const host = await checkpoint.read(name);
      expect(host.shape).toEqual(original.shape);
      const values = decodeHostTensor(host);
      const source = decodeHostTensor(original);
      if (F32_IN_BF16.test(name)) {
        biases += 1;
        expect(host.dtype).toBe('F32');
        expect([...values]).toEqual([...source]);
      } else {
        expect(host.dtype).toBe('BF16');
        expect(host.bytes.byteLength).toBe(source.length * 2);
        let mismatches = 0;
        for (let i = 0; i < source.length; i++) if (!Object.is(values[i], referenceBf16(source[i]))) mismatches++;
        expect(mismatches, name).toBe(0);
      }
    }
    expect(biases).toBe(2);
    await checkpoint.close();
  });

  it('opens a sharded copy (3 shards + index) with the same names, shapes and bytes', async () => {
    const { path, weightMap } = await writeSharded('sharded');
    const checkpoint = await openCheckpoint(path);
    expect(checkpoint.files).toHaveLength(3);
    expect(checkpoint.names()).toEqual(Object.keys(weightMap));
    expect(new Set(checkpoint.names())).toEqual(new Set(fixture.keys()));
    expect(checkpoint.metadata).toEqual({ total_size: '990880' });
    expect(checkpoint.totalBytes).toBe(990880);
    for (const [name, original] of fixture) {
      const host = await checkpoint.read(name);
      expect(host.shape).toEqual(original.shape);
      expect(Buffer.from(host.bytes).equals(Buffer.from(original.bytes))).toBe(true);
    }
    await checkpoint.close();
    const closed = await checkpoint.read('lm_head.weight').catch((e: unknown) => e);
    expect(CheckpointError.isInstance(closed) && closed.problem === 'closed').toBe(true);
  });

  it('rejects a folder without weights', async () => {
    const error = await expectCheckpointProblem(await folder('empty'), 'no-weights');
    expect(error.message).toContain('model.safetensors');
  });

  it('rejects an index that is not JSON, lacks weight_map, or maps to non-strings', async () => {
    for (const [i, text] of ['{"weight_map": ', '{"metadata": {}}', '{"weight_map": {"a": 3}}', '[]'].entries()) {
      const path = await folder(`bad-index-${i}`);
      await writeFile(join(path, 'model.safetensors.index.json'), text);
      await expectCheckpointProblem(path, 'bad-index');
    }
  });

  it('rejects a missing shard and a shard outside the folder', async () => {
    const { path, weightMap } = await writeSharded('missing-shard');
    await rm(join(path, Object.values(weightMap)[0]));
    const error = await expectCheckpointProblem(path, 'missing-shard');
    expect(error.file).toBe(Object.values(weightMap)[0]);

    const outside = await folder('outside');
    await writeFile(join(outside, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: '../bf16/model.safetensors' } }));
    await expectCheckpointProblem(outside, 'missing-shard');
  });

  it('rejects an index naming a tensor its shard does not hold', async () => {
    const { path, weightMap } = await writeSharded('wrong-shard');
    const shards = [...new Set(Object.values(weightMap))];
    weightMap['lm_head.weight'] = shards.find((s) => s !== weightMap['lm_head.weight'])!;
    await writeFile(join(path, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    const error = await expectCheckpointProblem(path, 'tensor-not-in-shard');
    expect(error.tensor).toBe('lm_head.weight');
  });

  it('rejects a tensor stored in two shards', async () => {
    const { path, weightMap } = await writeSharded('duplicate');
    const shard = Object.values(weightMap)[1];
    const names = Object.keys(weightMap).filter((n) => weightMap[n] === shard);
    const extra = [...fixture.keys()].find((n) => weightMap[n] !== shard)!;
    await writeSafetensors(join(path, shard), Object.fromEntries([...names, extra].map((n) => [n, fixture.get(n)!])));
    const error = await expectCheckpointProblem(path, 'duplicate-tensor');
    expect(error.tensor).toBe(extra);
  });

  it('rejects a truncated shard with SafetensorsFormatError', async () => {
    const { path, weightMap } = await writeSharded('truncated');
    const shard = join(path, Object.values(weightMap)[2]);
    await truncate(shard, 5000);
    const error = await openCheckpoint(path).catch((e: unknown) => e);
    expect(SafetensorsFormatError.isInstance(error) && error.problem === 'truncated-data' && error.path === shard).toBe(true);
  });
});
