import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { z } from 'zod';
import type { Backend } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { createToyCausalLM } from '../generation/__fixtures__/toy-causal-lm.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { QWEN3_TOKENIZER_DIR } from '../text/__fixtures__/qwen3-tokenizer.js';
import { writeSafetensors } from '../weights/write-safetensors.js';
import { createTextModelPlugin } from './create-text-model-plugin.js';
import { textModelPluginOptionsSchema } from './text-model-plugin-options.js';

const root = makeTempDir('pio-load-text-model-');
let dir: string;
let backend: Backend;
/** What each `load` was given, and each `infer`'s attention mask. */
const loads: { storage: WeightStorage; contextLength: number | undefined }[] = [];
const masks: (readonly (readonly number[])[])[] = [];

/** A toy plugin written as the bundled ones are: `context.loadCheckpoint`, tensor logits from `infer`. */
const toyPlugin = (module: string) =>
  createTextModelPlugin({
    module,
    optionsSchema: textModelPluginOptionsSchema.extend({ vocab: z.number().int().positive().default(16) }),
    parseConfig: (json) => z.object({ hidden: z.number() }).parse(json),
    estimateMemory: (config, storage, _options, contextLength) => ({
      storage,
      parameters: config.hidden,
      weightBytes: 4 * config.hidden,
      runtimeBytes: 0,
      contextLength: contextLength ?? -1,
      totalBytes: 4 * config.hidden,
    }),
    defaultStorage: () => 'bfloat16',
    load: (context) => {
      loads.push({ storage: context.storage, contextLength: context.contextLength });
      return context.loadCheckpoint({}, async (weights) => {
        const table = await weights.take('table');
        const toy = createToyCausalLM(context.backend, context.options.vocab);
        const disposeToy = toy.dispose.bind(toy);
        toy.dispose = () => (disposeToy(), table.dispose());
        return toy;
      });
    },
    infer: async (model, input) => {
      masks.push(input.attentionMask);
      return { logits: model.backend.tensor(Float32Array.from([1, 2, 3]), [1, 1, 3]) };
    },
  });

beforeAll(async () => {
  const manifest = { manifestVersion: 1, specificationVersion: 'v1', name: 'toy', entry: './dist/index.js', export: 'createToyPlugin' };
  const pio = {
    ...manifest,
    description: 'Toy.',
    architectures: ['ToyForCausalLM'],
    modelTypes: ['toy'],
    modalities: { input: ['text'], output: ['text'] },
    license: 'MIT',
  };
  await mkdir(join(root, 'toy-plugin', 'src'), { recursive: true });
  await writeFile(join(root, 'toy-plugin', 'package.json'), JSON.stringify({ name: 'pio-plugin-toy', version: '1.0.0', keywords: ['pio-plugin'], pio }));
  dir = join(root, 'model');
  await mkdir(dir);
  await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'toy', hidden: 4 }));
  await writeSafetensors(join(dir, 'model.safetensors'), {
    table: { dtype: 'F32', shape: [4], bytes: new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer) },
  });
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(QWEN3_TOKENIZER_DIR, file), join(dir, file));
  backend = createReferenceBackend();
});
afterAll(async () => {
  backend.dispose();
});

describe("a kit factory's loadModel (no plugin instance)", () => {
  it("loads through context.loadCheckpoint with the caller's storage, else the options', else the definition's default", async () => {
    const createToy = toyPlugin(pathToFileURL(join(root, 'toy-plugin', 'src', 'index.ts')).href);
    const before = backend.memory().tensors;
    const loaded = await createToy.loadModel(backend, dir);
    expect(loaded.config).toEqual({ hidden: 4 });
    expect(loaded.report?.missing).toEqual([]);
    expect(loaded.report?.unexpected).toEqual([]);
    expect(loaded.model.vocabSize).toBe(16);
    expect(backend.memory().tensors).toBeGreaterThan(before);
    loaded.model.dispose();
    await loaded.close();
    expect(backend.memory().tensors).toBe(before);
    (await createToy.loadModel(backend, dir, {}, { storage: 'float16', contextLength: 64, vocab: 8 })).model.dispose();
    (await createToy.loadModel(backend, dir, { storage: 'int8', contextLength: 32 }, { storage: 'float16', contextLength: 64 })).model.dispose();
    expect(loads.slice(-3)).toEqual([
      { storage: 'bfloat16', contextLength: undefined },
      { storage: 'float16', contextLength: 64 },
      { storage: 'int8', contextLength: 32 },
    ]);
  });
});

describe('a kit plugin', () => {
  it('reads tensor logits to the host and frees them; fills a missing attention mask with ones', async () => {
    const plugin = toyPlugin(pathToFileURL(join(root, 'toy-plugin', 'src', 'index.ts')).href)({ contextLength: 128 });
    expect(plugin.estimateMemory({ hidden: 4 }, 'float32').contextLength).toBe(128);
    expect(plugin.estimateMemory({ hidden: 4 }, 'float32', { contextLength: 8 }).contextLength).toBe(8);
    await plugin.initialize({ backend });
    await plugin.loadModel({ modelPath: dir });
    expect(loads.at(-1)).toEqual({ storage: 'bfloat16', contextLength: 128 });
    const before = backend.memory().tensors;
    const { logits } = await plugin.infer({ inputIds: [[5, 6]] });
    expect(Array.from(logits.data)).toEqual([1, 2, 3]);
    expect(logits.shape).toEqual([1, 1, 3]);
    expect(backend.memory().tensors).toBe(before);
    await plugin.infer({ inputIds: [[5, 6]], attentionMask: [[0, 1]] });
    expect(masks.slice(-2)).toEqual([[[1, 1]], [[0, 1]]]);
    await plugin.cleanup();
  });
});
