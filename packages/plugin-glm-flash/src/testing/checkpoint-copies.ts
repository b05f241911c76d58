import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeHostTensor, float32ToBf16, type HostTensor } from '@pio/core';
import { encodeHostTensor, openCheckpoint, writeSafetensors } from '@pio/core/weights';

/** How to rewrite a fixture checkpoint (test helper). */
export interface CopyOptions {
  /** `bf16`: BF16 file with `e_score_correction_bias` kept F32; `bf16-rounded-f32`: F32 file holding BF16-rounded values. */
  encoding?: 'f32' | 'bf16' | 'bf16-rounded-f32';
  /** Split into this many shards with `model.safetensors.index.json`. */
  shards?: number;
  /** Changes a tensor's values before they are encoded (its values and name in, the values to write out). */
  edit?: (name: string, values: Float32Array) => Float32Array;
}

const keepsF32 = (name: string) => name.endsWith('e_score_correction_bias');

function bf16Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, float32ToBf16(values[i]), true);
  return out;
}

function roundToBf16(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) bits[i] = float32ToBf16(values[i]) << 16;
  return out;
}

/**
 * Writes a re-encoded and/or sharded copy of a fixture folder into `dir` (an empty folder, e.g. from `makeTempDir`,
 * which removes it after the test) and returns `dir` (test helper).
 */
export async function writeCheckpointCopy(dir: string, fixtureDir: string, options: CopyOptions): Promise<string> {
  for (const file of ['config.json', 'generation_config.json']) await copyFile(join(fixtureDir, file), join(dir, file));
  const checkpoint = await openCheckpoint(fixtureDir);
  const tensors: Record<string, HostTensor> = {};
  for (const name of checkpoint.names()) {
    const host = await checkpoint.read(name);
    const decoded = decodeHostTensor(host) as Float32Array;
    const values = options.edit ? options.edit(name, decoded) : decoded;
    const encoding = keepsF32(name) ? 'f32' : (options.encoding ?? 'f32');
    tensors[name] =
      encoding === 'bf16'
        ? { dtype: 'BF16', shape: host.shape, bytes: bf16Bytes(values) }
        : encodeHostTensor(encoding === 'bf16-rounded-f32' ? roundToBf16(values) : values, host.shape, 'F32');
  }
  await checkpoint.close();
  const shards = options.shards ?? 1;
  if (shards === 1) {
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    return dir;
  }
  const names = Object.keys(tensors);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = names.filter((_, i) => i % shards === s);
    await writeSafetensors(join(dir, file), Object.fromEntries(part.map((n) => [n, tensors[n]])));
    for (const n of part) weightMap[n] = file;
  }
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return dir;
}
