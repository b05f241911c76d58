import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '@pio/core';
import { createRandomBf16Tensors } from '@pio/core/testing';
import { type Checkpoint, writeSafetensors } from '@pio/core/weights';
import type { GlmFlashConfig } from '../src/glm-flash-config.js';
import { glmFlashTensorShapes } from './glm-flash-tensors.js';

const isRouterBias = (name: string) => name.endsWith('e_score_correction_bias');

/**
 * The random-weight GLM-4.7-Flash checkpoint of `config` as a {@link Checkpoint} that makes each tensor when read
 * (nothing on disk): BF16 values uniform in [-scale, scale) from an xorshift generator restarted per tensor from its
 * name, so every reader sees the same values in any order; norm scales are ones, the router bias F32 zeros. The bench
 * writes it as a safetensors folder ({@link writeRandomCheckpoint}) and, from the same object, as a GGUF for
 * node-llama-cpp, so the two files hold the same weights without both having to be on disk at once.
 */
export function createRandomGlmCheckpoint(config: GlmFlashConfig, scale = 0.02): Checkpoint {
  const shapes = new Map(glmFlashTensorShapes(config));
  const random = createRandomBf16Tensors({ scale, perName: true });
  const info = (name: string) => {
    const shape = shapes.get(name);
    if (shape === undefined) return undefined;
    const dtype = isRouterBias(name) ? ('F32' as const) : ('BF16' as const);
    return { dtype, shape, byteLength: shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2) };
  };
  let totalBytes = 0;
  for (const name of shapes.keys()) totalBytes += info(name)!.byteLength;
  return {
    dir: '',
    files: [],
    totalBytes,
    storageDtypes: new Set(['BF16', 'F32']),
    metadata: {},
    names: () => [...shapes.keys()],
    has: (name) => shapes.has(name),
    info,
    async read(name) {
      const tensor = info(name);
      if (tensor === undefined) throw new Error(`the random GLM-4.7-Flash checkpoint has no tensor '${name}'`);
      if (tensor.dtype === 'F32') return { dtype: 'F32', shape: [...tensor.shape], bytes: new Uint8Array(tensor.byteLength) };
      return random.make(name, tensor.shape);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Writes {@link createRandomGlmCheckpoint} as the release ships its checkpoint: BF16 (the router bias F32), one shard
 * per decoder layer plus one for embeddings and head, and `model.safetensors.index.json`.
 */
export async function writeRandomCheckpoint(dir: string, config: GlmFlashConfig, configJson: object, scale = 0.02): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(configJson));
  const checkpoint = createRandomGlmCheckpoint(config, scale);
  const shardOf = (name: string) => /^model\.layers\.(\d+)\./.exec(name)?.[1] ?? 'embed';
  const groups = new Map<string, string[]>();
  for (const name of checkpoint.names()) {
    const key = shardOf(name);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(name);
  }
  const weightMap: Record<string, string> = {};
  let index = 0;
  for (const [, names] of groups) {
    const file = `model-${String(++index).padStart(5, '0')}-of-${String(groups.size).padStart(5, '0')}.safetensors`;
    const tensors: Record<string, HostTensor> = {};
    for (const name of names) {
      tensors[name] = await checkpoint.read(name);
      weightMap[name] = file;
    }
    await writeSafetensors(join(dir, file), tensors);
  }
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
}
