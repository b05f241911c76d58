import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeHostTensor, type HostTensor } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { createTfjsBackend } from '@pio/backend-tfjs';
import { encodeHostTensor, openCheckpoint, writeSafetensors } from '@pio/core/weights';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import { FIXTURE_DIR, maxAbsDiff, readBin, readGolden } from './testing/golden.js';
import { logitsBound } from './testing/golden-suite.js';

const golden = readGolden();
const imageCase = golden.cases.find((c: { name: string }) => c.name === 'image');
const images = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: golden.preprocess.image_grid_thw };
const dir = makeTempDir('pio-qwen3vl-');

async function writeFolder(name: string, tensors: Record<string, HostTensor>, shards: number): Promise<string> {
  const folder = join(dir, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(folder));
  await copyFile(join(FIXTURE_DIR, 'config.json'), join(folder, 'config.json'));
  if (shards === 1) {
    await writeSafetensors(join(folder, 'model.safetensors'), tensors);
    return folder;
  }
  const names = Object.keys(tensors);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part: Record<string, HostTensor> = {};
    names
      .filter((_, i) => i % shards === s)
      .forEach((n) => {
        part[n] = tensors[n];
        weightMap[n] = file;
        totalSize += tensors[n].bytes.byteLength;
      });
    await writeSafetensors(join(folder, file), part);
  }
  await writeFile(join(folder, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }));
  return folder;
}

async function imageLogits(folder: string): Promise<Float32Array> {
  const backend = createReferenceBackend();
  const { model, report } = await createQwen3VLPlugin.loadModel(backend, folder);
  expect(report?.missing).toEqual([]);
  expect(report?.unexpected).toEqual([]);
  try {
    return (await model.infer({ inputIds: imageCase.input_ids, attentionMask: imageCase.attention_mask, images })).data;
  } finally {
    backend.dispose();
  }
}

describe('loading BF16 and sharded checkpoints', () => {
  const f32: Record<string, HostTensor> = {};
  const bf16: Record<string, HostTensor> = {};
  const rounded: Record<string, HostTensor> = {};

  beforeAll(async () => {
    const checkpoint = await openCheckpoint(FIXTURE_DIR);
    for (const name of checkpoint.names()) {
      const host = await checkpoint.read(name);
      const values = decodeHostTensor(host) as Float32Array;
      f32[name] = host;
      bf16[name] = encodeHostTensor(values, host.shape, 'BF16');
      rounded[name] = encodeHostTensor(decodeHostTensor(bf16[name]) as Float32Array, host.shape, 'F32');
    }
    await checkpoint.close();
  });

  it('a 3-shard F32 copy gives the golden logits', async () => {
    const logits = await imageLogits(await writeFolder('sharded-f32', f32, 3));
    const ref = readBin(imageCase.logits).data;
    expect(maxAbsDiff(logits, ref)).toBeLessThanOrEqual(logitsBound(ref));
  });

  it('a BF16 copy (single file and 2 shards) computes the same function as F32 weights rounded to BF16', async () => {
    const single = await imageLogits(await writeFolder('bf16', bf16, 1));
    const sharded = await imageLogits(await writeFolder('bf16-sharded', bf16, 2));
    const exact = await imageLogits(await writeFolder('rounded-f32', rounded, 1));
    expect(maxAbsDiff(single, exact)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(sharded, exact)).toBeLessThanOrEqual(1e-5);
    // stated bound for BF16 weights against the float32 golden logits: 0.25 (measured 0.135, max |logit| ~9.5)
    expect(maxAbsDiff(single, readBin(imageCase.logits).data)).toBeLessThanOrEqual(0.25);
  });

  it('bfloat16 storage on the tfjs wasm engine (tied head as its own linear copy) stays within 0.25 of the golden logits', async () => {
    const backend = await createTfjsBackend({ device: 'wasm' });
    try {
      const { model, report } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR, { storage: 'bfloat16' });
      expect(report?.unexpected).toEqual([]);
      const logits = await model.infer({ inputIds: imageCase.input_ids, attentionMask: imageCase.attention_mask, images });
      expect(maxAbsDiff(logits.data, readBin(imageCase.logits).data)).toBeLessThanOrEqual(0.25);
      model.dispose();
    } finally {
      backend.dispose();
    }
  });

  it('an aborted or failed load frees every weight it had uploaded', async () => {
    const backend = createReferenceBackend();
    const controller = new AbortController();
    let seen = 0;
    const load = createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR, {
      signal: controller.signal,
      onProgress: () => {
        if (++seen === 40) controller.abort(new Error('stop'));
      },
    });
    await expect(load).rejects.toThrow('stop');
    expect(backend.memory().tensors).toBe(0);
    // a checkpoint missing one tensor: WeightLoadError naming it, nothing left on the backend
    const partial = { ...f32 };
    delete partial['model.visual.merger.linear_fc2.bias'];
    await expect(createQwen3VLPlugin.loadModel(backend, await writeFolder('missing', partial, 1))).rejects.toThrow(/merger\.linear_fc2\.bias/);
    expect(backend.memory().tensors).toBe(0);
    backend.dispose();
  });
});
