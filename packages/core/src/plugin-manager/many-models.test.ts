import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import { createFakeBackend } from './__fixtures__/fake-backend.js';
import { fakeHardware } from './__fixtures__/fake-hardware.js';
import { writeEchoModel } from './__fixtures__/fake-plugin-package.js';
import { createFakeTextPlugin, type FakePluginLog } from './__fixtures__/fake-text-plugin.js';
import { createPluginManager } from './create-plugin-manager.js';

const project = makeTempDir('pio-many-models-');
let modelA: string;
let modelB: string;
let otherA: string;

const MANIFEST = {
  name: 'fake',
  version: '1.0.0',
  description: 'x',
  architectures: ['FakeForCausalLM'],
  modelTypes: ['fake'],
  modalities: { input: ['text' as const], output: ['text' as const] },
  license: 'MIT',
};

beforeAll(async () => {
  const config = { model_type: 'fake', architectures: ['FakeForCausalLM'] };
  modelA = await writeEchoModel(join(project, 'a'), config);
  modelB = await writeEchoModel(join(project, 'b'), config);
  otherA = await writeEchoModel(join(project, 'elsewhere', 'a'), config);
});

/** A manager with the fake plugin registered as a factory; `logs` holds each instance's log, in creation order. */
async function setup() {
  const logs: FakePluginLog[] = [];
  const manager = createPluginManager({ cwd: project, backend: createFakeBackend(), hardware: fakeHardware(2 ** 34) });
  await manager.registerPlugin(() => {
    const fake = createFakeTextPlugin();
    logs.push(fake.log);
    return fake.plugin;
  }, MANIFEST);
  return { manager, logs };
}

describe('many models per plugin', () => {
  it('loads a second model of one plugin on a second instance, keyed by the folder name', async () => {
    const { manager, logs } = await setup();
    const a = await manager.activatePlugin('fake', { modelPath: modelA });
    const b = await manager.activatePlugin('fake', { modelPath: modelB });
    expect(b).not.toBe(a);
    expect(logs.map((log) => log.modelPaths)).toEqual([[modelA], [modelB]]);
    expect(manager.listModels()).toEqual([
      { id: 'a', pluginName: 'fake', state: 'active', modelPath: modelA, settings: expect.objectContaining({ device: 'cpu' }) },
      { id: 'b', pluginName: 'fake', state: 'active', modelPath: modelB, settings: expect.objectContaining({ device: 'cpu' }) },
    ]);
    expect(manager.listPlugins()[0]).toMatchObject({ name: 'fake', state: 'active', modelIds: ['a', 'b'], modelPath: undefined });
    expect(await manager.activatePlugin('fake', { modelPath: join(project, 'b') })).toBe(b);
  });

  it('runs each model by its id; the plugin name is ambiguous while it runs two', async () => {
    const { manager, logs } = await setup();
    await manager.activatePlugin('fake', { modelPath: modelA });
    await manager.activatePlugin('fake', { modelPath: modelB, modelId: 'second' });
    expect(await manager.executePlugin('second', 'hi')).toMatchObject({ text: 'float32|hi' });
    expect(logs[1].calls).toContain('generateText');
    expect(logs[0].calls).not.toContain('generateText');
    const ambiguous = await manager.executePlugin('fake', 'hi').catch((error: unknown) => error);
    expect(PluginStateError.isInstance(ambiguous)).toBe(true);
    expect((ambiguous as Error).message).toBe('Plugin "fake" is active: it runs 2 models (a, second). Name the model id instead.');
    expect(await manager.deactivatePlugin('a')).toBe(true);
    expect(logs[0].calls).toContain('cleanup');
    expect(manager.listModels().map((m) => m.id)).toEqual(['second']);
    // with one model left, the plugin name means that model
    expect(await manager.executePlugin('fake', 'again')).toMatchObject({ text: 'float32|again' });
    expect(await manager.deactivatePlugin('fake')).toBe(true);
    expect(manager.listModels()).toEqual([]);
    expect(manager.listPlugins()[0]).toMatchObject({ state: 'inactive', modelIds: [] });
  });

  it('refuses another model under a taken id, and a second model of a plugin registered as one object', async () => {
    const { manager } = await setup();
    await manager.activatePlugin('fake', { modelPath: modelA });
    const taken = await manager.activatePlugin('fake', { modelPath: otherA }).catch((error: unknown) => error);
    expect(PluginStateError.isInstance(taken)).toBe(true);
    expect((taken as Error).message).toContain(`it already runs the model at ${modelA}`);
    await manager.activatePlugin('fake', { modelPath: otherA, modelId: 'a2' });
    expect(manager.listModels().map((m) => m.id)).toEqual(['a', 'a2']);

    const single = createPluginManager({ cwd: project, backend: createFakeBackend(), hardware: fakeHardware(2 ** 34) });
    await single.registerPlugin(createFakeTextPlugin().plugin);
    await single.activatePlugin('fake', { modelPath: modelA });
    await expect(single.activatePlugin('fake', { modelPath: modelB })).rejects.toSatisfy((error) => PluginStateError.isInstance(error));
    await single.dispose();
    await manager.dispose();
    expect(manager.listModels()).toEqual([]);
  });
});
