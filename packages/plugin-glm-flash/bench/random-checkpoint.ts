import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '@pio/core';
import { createRandomBf16Tensors } from '@pio/core/testing';
import { writeSafetensors } from '@pio/core/weights';
import type { GlmFlashConfig } from '../src/glm-flash-config.js';
import { glmFlashTensorShapes } from './glm-flash-tensors.js';

/**
 * Writes a random-weight GLM-4.7-Flash checkpoint as the release ships it: BF16, one shard per decoder layer (plus one
 * for embeddings and head), `model.safetensors.index.json`, the router bias in F32. Values are uniform in
 * [-scale, scale) from a fixed xorshift generator; norm scales are ones.
 */
export async function writeRandomCheckpoint(dir: string, config: GlmFlashConfig, configJson: object, scale = 0.02): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(configJson));
  const random = createRandomBf16Tensors({ scale });
  const make = (name: string, shape: number[]): HostTensor =>
    name.endsWith('e_score_correction_bias') ? { dtype: 'F32', shape, bytes: new Uint8Array(shape.reduce((a, b) => a * b, 1) * 4) } : random.make(name, shape);
  const shardOf = (name: string) => /^model\.layers\.(\d+)\./.exec(name)?.[1] ?? 'embed';
  const groups = new Map<string, Array<[string, number[]]>>();
  for (const entry of glmFlashTensorShapes(config)) {
    const key = shardOf(entry[0]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(entry);
  }
  const weightMap: Record<string, string> = {};
  let index = 0;
  for (const [, entries] of groups) {
    const file = `model-${String(++index).padStart(5, '0')}-of-${String(groups.size).padStart(5, '0')}.safetensors`;
    const tensors: Record<string, HostTensor> = {};
    for (const [name, shape] of entries) {
      tensors[name] = make(name, shape);
      weightMap[name] = file;
    }
    await writeSafetensors(join(dir, file), tensors);
  }
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
}
