import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { z } from 'zod';
import type { Backend, Weight } from '../backend/backend.js';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { InvalidManifestError } from '../errors/invalid-manifest-error.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import { TokenizerLoadError } from '../errors/tokenizer-load-error.js';
import { WeightLoadError } from '../errors/weight-load-error.js';
import { createToyCausalLM, type ToyCausalLM } from '../generation/__fixtures__/toy-causal-lm.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { QWEN3_TOKENIZER_DIR } from '../text/__fixtures__/qwen3-tokenizer.js';
import { writeSafetensors } from '../weights/write-safetensors.js';
import { createTextModelPlugin } from './create-text-model-plugin.js';
import { loadCheckpointModel } from './load-checkpoint-model.js';
import { readPluginMetadata } from './read-plugin-metadata.js';

const MANIFEST = {
  manifestVersion: 1,
  specificationVersion: 'v1',
  name: 'toy',
  entry: './dist/index.js',
  export: 'createToyPlugin',
  description: 'The toy model, from its manifest.',
  architectures: ['ToyForCausalLM'],
  modelTypes: ['toy'],
  modalities: { input: ['text'], output: ['text'] },
  license: 'MIT',
};

const root = makeTempDir('pio-plugin-kit-');
let backend: Backend;
let moduleUrl: string;
/** What the toy plugin's load took: the model, its weight, and whether its closer ran. */
const loads: { model: ToyCausalLM; weight: Weight; closed: boolean }[] = [];

const toyOptions = z.object({ vocab: z.number().int().positive().default(16) });
const toyMethods = { vocab: (model: ToyCausalLM, plus: number) => model.vocabSize + plus };

const createToyPlugin = () =>
  createTextModelPlugin<typeof toyOptions, { hidden: number }, ToyCausalLM, undefined, typeof toyMethods>({
    module: moduleUrl,
    optionsSchema: toyOptions,
    parseConfig: (json, source) => {
      const parsed = z.object({ model_type: z.literal('toy'), hidden: z.number().int().positive() }).safeParse(json);
      if (!parsed.success) throw new InvalidConfigError({ source, issues: [{ path: 'hidden', expected: 'a positive integer', found: 'something else' }] });
      return parsed.data;
    },
    estimateMemory: (config, storage) => ({
      storage,
      parameters: config.hidden,
      weightBytes: 4 * config.hidden,
      runtimeBytes: 0,
      contextLength: 1,
      totalBytes: 4 * config.hidden,
    }),
    load: async ({ backend: b, modelDir, options, storage, onProgress, validatePath }) => {
      expect(storage).toBe('float32');
      const { model, close } = await loadCheckpointModel(b, modelDir, { keepOpen: true, onProgress, validatePath }, async (weights) => {
        const weight = await weights.take('table');
        const toy = createToyCausalLM(b, options.vocab);
        const disposeTables = toy.dispose.bind(toy);
        toy.dispose = () => (disposeTables(), weight.dispose());
        loads.push({ model: toy, weight, closed: false });
        return toy;
      });
      const entry = loads.at(-1)!;
      return { model, close: async () => ((entry.closed = true), close()) };
    },
    infer: async () => ({ logits: { data: new Float32Array(0), shape: [0] } }),
    methods: toyMethods,
  })();

async function modelFolder(name: string, files: { tokenizer?: boolean; tensors?: Record<string, number[]> } = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'toy', architectures: ['ToyForCausalLM'], hidden: 4 }));
  const tensors = files.tensors ?? { table: [1, 2, 3, 4] };
  const host = Object.fromEntries(
    Object.entries(tensors).map(([n, v]) => [n, { dtype: 'F32' as const, shape: [v.length], bytes: new Uint8Array(Float32Array.from(v).buffer) }]),
  );
  await writeSafetensors(join(dir, 'model.safetensors'), host);
  if (files.tokenizer !== false)
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(QWEN3_TOKENIZER_DIR, file), join(dir, file));
  return dir;
}

beforeAll(async () => {
  await mkdir(join(root, 'toy-plugin', 'src'), { recursive: true });
  await writeFile(
    join(root, 'toy-plugin', 'package.json'),
    JSON.stringify({ name: 'pio-plugin-toy', version: '1.2.3', keywords: ['pio-plugin'], pio: MANIFEST }),
  );
  moduleUrl = pathToFileURL(join(root, 'toy-plugin', 'src', 'index.ts')).href;
  backend = createReferenceBackend();
});
afterAll(async () => {
  backend.dispose();
});

describe('readPluginMetadata', () => {
  it("reads the nearest package.json's pio manifest and the package version, the one source of the metadata", () => {
    const { name, description, architectures, modelTypes, modalities, license } = MANIFEST;
    expect(readPluginMetadata(moduleUrl)).toEqual({
      name,
      version: '1.2.3',
      description,
      architectures,
      modelTypes,
      modalities,
      license,
      requiredTrust: 'sandboxed',
    });
  });

  it('refuses a module with no plugin package above it', () => {
    expect(() => readPluginMetadata(pathToFileURL(join(tmpdir(), 'nowhere', 'index.js')))).toThrow(InvalidManifestError);
  });
});

describe('createTextModelPlugin', () => {
  it('gives each factory call its own instance with the manifest metadata and checks its options', () => {
    const a = createToyPlugin();
    expect(a).not.toBe(createToyPlugin());
    expect(a.metadata).toMatchObject({ name: 'toy', version: '1.2.3', description: 'The toy model, from its manifest.' });
    expect(a.specificationVersion).toBe('v1');
    const bad = createTextModelPlugin({
      module: moduleUrl,
      optionsSchema: z.object({ n: z.number() }),
      parseConfig: () => ({}),
      estimateMemory: () => ({}) as never,
      load: () => Promise.reject(new Error('unused')),
      infer: () => Promise.reject(new Error('unused')),
    });
    expect(() => bad({ n: 'x' } as never)).toThrow(InvalidConfigError);
  });

  it('supports configs that name the manifest architecture and parse; estimates with the parsed config', () => {
    const plugin = createToyPlugin();
    expect(plugin.supportsConfig({ model_type: 'toy', hidden: 8 })).toBe(true);
    expect(plugin.supportsConfig({ architectures: ['ToyForCausalLM'], model_type: 'toy', hidden: 8 })).toBe(true);
    expect(plugin.supportsConfig({ model_type: 'toy' })).toBe(false);
    expect(plugin.supportsConfig({ model_type: 'llama', hidden: 8 })).toBe(false);
    expect(plugin.supportsConfig(null)).toBe(false);
    expect(plugin.estimateMemory({ model_type: 'toy', hidden: 8 }, 'float32').weightBytes).toBe(32);
    expect(() => plugin.estimateMemory({ model_type: 'toy' }, 'float32')).toThrow(InvalidConfigError);
  });

  it('rejects (never throws synchronously) every call before a model is loaded', async () => {
    const plugin = createToyPlugin();
    const notLoaded = (e: unknown) => PluginStateError.isInstance(e);
    await expect(plugin.loadModel({ modelPath: root })).rejects.toSatisfy((e) => PluginStateError.isInstance(e) && /initialize/.test((e as Error).message));
    for (const call of [
      () => plugin.infer({ inputIds: [[1]] }),
      () => plugin.generate({ inputIds: [[1]] }),
      () => plugin.generateText('hi'),
      () => plugin.chatCompletion({ messages: [] }),
    ]) {
      await expect(call()).rejects.toSatisfy(notLoaded);
    }
    for (const stream of [
      plugin.streamText('hi'),
      plugin.streamGenerate({ inputIds: [[1]] }),
      plugin.streamChatCompletion({ messages: [] }),
      ...plugin.streamBatch([{ kind: 'text', prompt: 'hi' }]),
    ]) {
      await expect(stream[Symbol.asyncIterator]().next()).rejects.toSatisfy(notLoaded);
    }
    expect(() => plugin.tokenize('hi')).toThrow(PluginStateError);
    expect(() => plugin.vocab(1)).toThrow(PluginStateError);
    expect(plugin.model).toBeUndefined();
  });

  it('loads a folder through the path guard, serves the text surface and its methods, and frees everything on cleanup', async () => {
    const dir = await modelFolder('ok');
    const plugin = createToyPlugin();
    const checked: string[] = [];
    await plugin.initialize({ backend, validatePath: async (p) => (checked.push(p), p) });
    const phases: string[] = [];
    await plugin.loadModel({ modelPath: dir, onProgress: (p) => phases.push(p.phase) });
    // the folder first, then every file the load opens, each inside the folder
    expect(checked[0]).toBe(dir);
    expect(checked).toEqual(expect.arrayContaining([join(dir, 'config.json'), join(dir, 'model.safetensors'), join(dir, 'tokenizer.json')]));
    expect(checked.every((path) => path.startsWith(dir))).toBe(true);
    expect([...new Set(phases)]).toEqual(['config', 'weights', 'tokenizer', 'ready']);
    expect(plugin.tokenize('hello')).toEqual([14990]);
    expect(plugin.vocab(2)).toBe(18);
    const { model, weight } = loads.at(-1)!;
    expect(plugin.model).toBe(model);
    await plugin.cleanup();
    expect(weight.isDisposed).toBe(true);
    expect(loads.at(-1)!.closed).toBe(true);
    await plugin.cleanup();
    await expect(plugin.generateText('hi')).rejects.toSatisfy((e) => PluginStateError.isInstance(e));
  });

  it('frees the loaded model and closes its checkpoint when a later load step fails', async () => {
    const dir = await modelFolder('no-tokenizer', { tokenizer: false });
    const plugin = createToyPlugin();
    await plugin.initialize({ backend });
    await expect(plugin.loadModel({ modelPath: dir })).rejects.toSatisfy((e) => TokenizerLoadError.isInstance(e));
    expect(loads.at(-1)!.weight.isDisposed).toBe(true);
    expect(loads.at(-1)!.closed).toBe(true);
    expect(plugin.model).toBeUndefined();
  });
});

describe('loadCheckpointModel', () => {
  it('frees the weights a failed build took, and refuses a checkpoint with tensors the model did not use', async () => {
    const dir = await modelFolder('extra', { tensors: { table: [1, 2], extra: [3] } });
    const taken: Weight[] = [];
    const failing = loadCheckpointModel(backend, dir, {}, async (weights) => {
      taken.push(await weights.take('table'));
      throw new Error('the model refused its config');
    });
    await expect(failing).rejects.toThrow('the model refused its config');
    expect(taken[0].isDisposed).toBe(true);
    const incomplete = loadCheckpointModel(backend, dir, {}, async (weights) => {
      taken.push(await weights.take('table'));
      return { dispose: () => taken[1].dispose() };
    });
    await expect(incomplete).rejects.toSatisfy((e) => WeightLoadError.isInstance(e));
    expect(taken[1].isDisposed).toBe(true);
    const { model, report } = await loadCheckpointModel(backend, dir, { unused: (names) => names.filter((n) => n === 'extra') }, async (weights) => ({
      weight: await weights.take('table'),
      dispose() {},
    }));
    expect(report.unused).toEqual(['extra']);
    model.weight.dispose();
  });
});
