/**
 * Writes a Qwen3-VL-2B-shaped checkpoint of random BF16 weights as the release ships it (`config.json`, one
 * safetensors shard per text decoder layer plus shards for the vision tower and the embeddings,
 * `model.safetensors.index.json`), so the bench measures the real loading path from disk.
 *
 * The tensor names and shapes are the ones `Qwen3VLModel.load` asks for: a recording WeightSource hands it one-value
 * placeholder weights and notes every request (module names mapped back to checkpoint names).
 *
 * Run as its own process (the bench does: `BENCH_LAYERS` and the folder as argument) so the host tensors made here
 * never count in the measured process's memory.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor, Weight, WeightOptions } from '@pio/core';
import { createRandomBf16Tensors, createReferenceBackend } from '@pio/core/testing';
import { writeSafetensors } from '@pio/core/weights';
import { parseQwen3VLConfig } from '../src/qwen3-vl-config.js';
import { Qwen3VLModel } from '../src/qwen3-vl-model.js';
import { QWEN3_VL_2B_CONFIG_JSON } from './qwen3-vl-2b-config.js';

/** Module-name prefix → checkpoint-name prefix (the inverse of `QWEN3_VL_WEIGHT_RENAMES`). */
const TO_CHECKPOINT: ReadonlyArray<readonly [string, string]> = [
  ['text.', 'model.language_model.'],
  ['vision.', 'model.visual.'],
  ['lmHead.', 'lm_head.'],
];

/** The config.json of the 2B model cut to `layers` text layers. */
export function qwen3VL2bConfigJson(layers: number): typeof QWEN3_VL_2B_CONFIG_JSON {
  const json = structuredClone(QWEN3_VL_2B_CONFIG_JSON);
  json.text_config.num_hidden_layers = layers;
  json.vision_config.deepstack_visual_indexes = json.vision_config.deepstack_visual_indexes.slice(0, layers);
  return json;
}

/** Checkpoint tensor names and shapes of the model, in load order. */
async function recordTensorShapes(json: typeof QWEN3_VL_2B_CONFIG_JSON): Promise<Map<string, number[]>> {
  const backend = createReferenceBackend();
  const shapes = new Map<string, number[]>();
  const placeholder = (): Weight => backend.weight({ dtype: 'F32', shape: [1], bytes: new Uint8Array(4) });
  const source = {
    has: () => false,
    async take(name: string, options: WeightOptions & { shape?: readonly number[] } = {}): Promise<Weight> {
      if (!options.shape) throw new Error(`the model took ${name} without a shape`);
      const rule = TO_CHECKPOINT.find(([from]) => name.startsWith(from));
      shapes.set(rule ? rule[1] + name.slice(rule[0].length) : name, [...options.shape]);
      return placeholder();
    },
    takeOptional: async (): Promise<Weight | undefined> => undefined,
  };
  const model = await Qwen3VLModel.load(backend, source, parseQwen3VLConfig(json), { storage: 'bfloat16' });
  model.dispose();
  backend.dispose();
  return shapes;
}

/** Writes the checkpoint to `dir` (replaced atomically: written to `dir.partial`, then renamed). */
export async function writeQwen3VLRandomCheckpoint(dir: string, layers: number, scale = 0.02): Promise<void> {
  const json = qwen3VL2bConfigJson(layers);
  const shapes = await recordTensorShapes(json);
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await writeFile(join(partial, 'config.json'), JSON.stringify(json));
  const random = createRandomBf16Tensors({ scale });
  const shardOf = (name: string) => /^model\.language_model\.layers\.(\d+)\./.exec(name)?.[1] ?? (name.startsWith('model.visual.') ? 'visual' : 'embed');
  const groups = new Map<string, string[]>();
  for (const name of shapes.keys()) {
    const key = shardOf(name);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(name);
  }
  const weightMap: Record<string, string> = {};
  let index = 0;
  for (const names of groups.values()) {
    const file = `model-${String(++index).padStart(5, '0')}-of-${String(groups.size).padStart(5, '0')}.safetensors`;
    const tensors: Record<string, HostTensor> = {};
    for (const name of names) {
      tensors[name] = random.make(name, shapes.get(name)!);
      weightMap[name] = file;
    }
    await writeSafetensors(join(partial, file), tensors);
  }
  await writeFile(join(partial, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, layers] = process.argv.slice(2);
  await writeQwen3VLRandomCheckpoint(dir, Number(layers ?? 28));
}
