import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ExecutionTimeoutError } from '../errors/execution-timeout-error.js';
import { IncompatibleSpecVersionError } from '../errors/incompatible-spec-version-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import { ResourceLimitError } from '../errors/resource-limit-error.js';
import { createFakeBackend } from './__fixtures__/fake-backend.js';
import { fakeHardware } from './__fixtures__/fake-hardware.js';
import { writeEchoModel } from './__fixtures__/fake-plugin-package.js';
import { createFakeTextPlugin, createGate, type FakeTextPluginOptions } from './__fixtures__/fake-text-plugin.js';
import { createPluginManager } from './create-plugin-manager.js';
import type { PluginManagerOptions } from './plugin-manager.js';

const project = makeTempDir('pio-lifecycle-');
let modelA: string;
let modelB: string;

beforeAll(async () => {
  modelA = await writeEchoModel(join(project, 'a'), { model_type: 'fake', architectures: ['FakeForCausalLM'] });
  modelB = await writeEchoModel(join(project, 'b'), { model_type: 'fake', architectures: ['FakeForCausalLM'] });
});

async function setup(plugin: FakeTextPluginOptions = {}, options: Partial<PluginManagerOptions> = {}) {
  const fake = createFakeTextPlugin(plugin);
  const manager = createPluginManager({ cwd: project, backend: createFakeBackend(), hardware: fakeHardware(2 ** 34), ...options });
  await manager.registerPlugin(fake.plugin);
  return { manager, log: fake.log, plugin: fake.plugin };
}

/** Waits until `predicate` holds (polling every 2 ms, vitest's deadline), so tests do not depend on timing. */
async function until(predicate: () => boolean): Promise<void> {
  await expect.poll(predicate, { interval: 2 }).toBe(true);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('plugin lifecycle', () => {
  it('passes the KV cache type to loadModel only when one is asked for', async () => {
    const { manager, log } = await setup();
    await manager.activatePlugin('fake', { modelPath: modelA, kvCacheStorage: 'float16' });
    await manager.deactivatePlugin('fake');
    await manager.activatePlugin('fake', { modelPath: modelA });
    expect(log.kvCacheStorages).toEqual(['float16', undefined]);
  });

  it('refuses to execute an inactive plugin', async () => {
    const { manager, log } = await setup();
    const error = await rejection(manager.executePlugin('fake', 'hi'));
    expect(PluginStateError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Plugin "fake" is inactive: only active plugins can execute. Call activatePlugin(name, { modelPath }) first.');
    expect(log.calls).toEqual([]);
  });

  it('returns the same plugin when activated twice with the same model, and refuses another model', async () => {
    const { manager, log } = await setup();
    const first = await manager.activatePlugin('fake', { modelPath: modelA });
    const again = await manager.activatePlugin('fake', { modelPath: join(project, 'a') });
    expect(again).toBe(first);
    const other = await rejection(manager.activatePlugin('fake', { modelPath: modelB }));
    expect(PluginStateError.isInstance(other)).toBe(true);
    expect((other as Error).message).toBe(
      `Plugin "fake" is active: it already runs the model at ${modelA} (float32 on cpu). ` +
        'Call deactivatePlugin() first to load another model or change settings.',
    );
    await expect(manager.activatePlugin('fake', { modelPath: modelA, storage: 'int8' })).rejects.toSatisfy(PluginStateError.isInstance);
    expect(log.calls).toEqual(['initialize', 'loadModel']);
  });

  it('shares one activation between concurrent calls', async () => {
    const gate = createGate();
    const { manager, log } = await setup({ loadGate: gate.promise });
    const calls = [1, 2, 3].map(() => manager.activatePlugin('fake', { modelPath: modelA }));
    await until(() => log.calls.includes('loadModel'));
    expect(manager.listPlugins()[0].state).toBe('activating');
    await expect(manager.executePlugin('fake', 'early')).rejects.toThrow('Wait for activatePlugin() to finish.');
    await expect(manager.activatePlugin('fake', { modelPath: modelB })).rejects.toSatisfy(PluginStateError.isInstance);
    gate.open();
    const plugins = await Promise.all(calls);
    expect(new Set(plugins).size).toBe(1);
    expect(log.calls).toEqual(['initialize', 'loadModel']);
  });

  it('cleans up after a failed load and can be activated again', async () => {
    const failing = createFakeTextPlugin({ loadError: new Error('disk on fire') });
    const manager = createPluginManager({ cwd: project, backend: createFakeBackend(), hardware: fakeHardware(2 ** 34) });
    let attempt = 0;
    const working = createFakeTextPlugin({}, failing.log);
    await manager.registerPlugin(() => (attempt++ === 0 ? failing.plugin : working.plugin), {
      name: 'fake',
      version: '1.0.0',
      description: 'x',
      architectures: ['FakeForCausalLM'],
      modelTypes: ['fake'],
      modalities: { input: ['text'], output: ['text'] },
      license: 'MIT',
    });
    const error = await rejection(manager.activatePlugin('fake', { modelPath: modelA }));
    expect(PluginLoadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`Could not load plugin "fake": loading the model at ${modelA} failed: disk on fire`);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(failing.log.calls).toEqual(['initialize', 'loadModel', 'cleanup']);
    expect(manager.listPlugins()[0]).toMatchObject({ state: 'inactive', active: false });
    await manager.activatePlugin('fake', { modelPath: modelA });
    expect(failing.log.calls).toEqual(['initialize', 'loadModel', 'cleanup', 'initialize', 'loadModel']);
  });

  it('deactivates once; a second deactivation is a no-op', async () => {
    const { manager, log } = await setup();
    await manager.activatePlugin('fake', { modelPath: modelA });
    expect(await manager.deactivatePlugin('fake')).toBe(true);
    expect(await manager.deactivatePlugin('fake')).toBe(false);
    expect(log.calls).toEqual(['initialize', 'loadModel', 'cleanup']);
    await expect(manager.executePlugin('fake', 'hi')).rejects.toSatisfy(PluginStateError.isInstance);
    // a plugin object is re-initialized when activated again, now with another model
    await manager.activatePlugin('fake', { modelPath: modelB });
    expect(log.modelPaths).toEqual([modelA, modelB]);
    await expect(manager.deactivatePlugin('missing')).rejects.toMatchObject({ code: 'PIO_PLUGIN_NOT_FOUND', available: ['fake'] });
  });

  it('aborts an activation when deactivated while loading', async () => {
    const gate = createGate();
    const { manager, log } = await setup({ loadGate: gate.promise });
    const activation = manager.activatePlugin('fake', { modelPath: modelA });
    await until(() => log.calls.includes('loadModel'));
    const deactivation = manager.deactivatePlugin('fake');
    gate.open();
    expect(ExecutionAbortedError.isInstance(await rejection(activation))).toBe(true);
    expect(await deactivation).toBe(true);
    expect(log.calls).toEqual(['initialize', 'loadModel', 'cleanup']);
    expect(manager.listPlugins()[0].state).toBe('inactive');
  });

  it('refuses plugins of another spec version and duplicate names', async () => {
    const manager = createPluginManager({ cwd: project, backend: createFakeBackend() });
    const error = await rejection(manager.registerPlugin(createFakeTextPlugin({ specificationVersion: 'v2' }).plugin));
    expect(IncompatibleSpecVersionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ pluginVersion: 'v2', coreVersion: 'v1' });
    await manager.registerPlugin(createFakeTextPlugin().plugin);
    await expect(manager.registerPlugin(createFakeTextPlugin().plugin)).rejects.toSatisfy(PluginStateError.isInstance);
    await manager.registerPlugin(createFakeTextPlugin().plugin, undefined, { replace: true });
    const bad = await rejection(manager.registerPlugin(createFakeTextPlugin({ metadata: { name: 'Bad Name', architectures: [] } }).plugin));
    expect((bad as Error).message).toBe(
      'Could not load plugin "registered plugin": its metadata is invalid: metadata.name: expected lowercase letters, digits ' +
        'and dashes, found "Bad Name"; metadata.architectures: expected at least 1 items, found an array of 0 items.',
    );
  });
});

describe('execution limits', () => {
  it('refuses maxNewTokens over the limit and applies the limit as the default', async () => {
    const { manager, log } = await setup({}, { limits: { maxNewTokens: 64 } });
    await manager.activatePlugin('fake', { modelPath: modelA });
    const error = await rejection(manager.executePlugin('fake', 'hi', { maxNewTokens: 65 }));
    expect(ResourceLimitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Limit maxNewTokens is 64, but the request needs 65. Ask for at most 64 new tokens, or raise limits.maxNewTokens.');
    await manager.executePlugin('fake', 'hi');
    await manager.executePlugin('fake', 'hi', { maxNewTokens: 10, image: 'cat.png' });
    expect(log.generateOptions.map((o) => [o.maxNewTokens, o.images])).toEqual([
      [64, undefined],
      [10, ['cat.png']],
    ]);
  });

  it('queues executions up to the limit and refuses more', async () => {
    const gate = createGate();
    const { manager, log } = await setup({ generateGate: gate.promise }, { limits: { maxConcurrentExecutions: 1, maxQueuedExecutions: 1 } });
    await manager.activatePlugin('fake', { modelPath: modelA });
    const first = manager.executePlugin('fake', 'one');
    const second = manager.executePlugin('fake', 'two');
    const third = await rejection(manager.executePlugin('fake', 'three'));
    expect(ResourceLimitError.isInstance(third)).toBe(true);
    expect(third).toMatchObject({ limit: 'maxConcurrentExecutions', maximum: 1, requested: 3 });
    await until(() => log.calls.includes('generateText'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.calls.filter((c) => c === 'generateText')).toHaveLength(1); // the second waits for the first
    gate.open();
    expect(await Promise.all([first, second])).toMatchObject([{ text: 'float32|one' }, { text: 'float32|two' }]);
  });

  it('aborts an execution that passes its time limit', async () => {
    const { manager, log } = await setup({ generateGate: new Promise(() => undefined) }, { limits: { timeoutMs: 5000 } });
    await manager.activatePlugin('fake', { modelPath: modelA });
    const error = await rejection(manager.executePlugin('fake', 'slow', { timeoutMs: 20 }));
    expect(ExecutionTimeoutError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Execution of plugin "fake" took longer than 20 ms and was aborted. Ask for fewer new tokens, or raise the timeout ' +
        "(limits.timeoutMs or the call's timeoutMs).",
    );
    const signal = log.generateOptions[0].signal!;
    expect(signal.aborted).toBe(true);
    expect(ExecutionTimeoutError.isInstance(signal.reason)).toBe(true);
    // the slot was freed once the plugin call ended (it honoured the signal)
    await expect(manager.executePlugin('fake', 'again', { timeoutMs: 20 })).rejects.toSatisfy(ExecutionTimeoutError.isInstance);
  });

  it("passes the caller's abort to the plugin and reports it", async () => {
    const { manager, log } = await setup({ generateGate: new Promise(() => undefined) });
    await manager.activatePlugin('fake', { modelPath: modelA });
    const controller = new AbortController();
    const running = manager.executePlugin('fake', 'x', { signal: controller.signal });
    await until(() => log.calls.includes('generateText'));
    controller.abort();
    const error = await rejection(running);
    expect(ExecutionAbortedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('(its signal was aborted)');
    expect(log.generateOptions[0].signal!.aborted).toBe(true);
    // already aborted: refused before reaching the plugin
    await expect(manager.executePlugin('fake', 'y', { signal: controller.signal })).rejects.toSatisfy(ExecutionAbortedError.isInstance);
    expect(log.generateOptions).toHaveLength(1);
  });

  it('aborts running executions on deactivation and waits for them before cleanup', async () => {
    const { manager, log } = await setup({ generateGate: new Promise(() => undefined) });
    await manager.activatePlugin('fake', { modelPath: modelA });
    const running = manager.executePlugin('fake', 'x');
    await until(() => log.calls.includes('generateText'));
    expect(await manager.deactivatePlugin('fake')).toBe(true);
    const error = await rejection(running);
    expect((error as Error).message).toContain('(the plugin was deactivated)');
    expect(log.calls).toEqual(['initialize', 'loadModel', 'generateText', 'cleanup']);
  });

  it('validates its limits', () => {
    expect(() => createPluginManager({ limits: { maxConcurrentExecutions: 0 } })).toThrow(
      'Invalid configuration in createPluginManager options.limits (1 problem):\n' +
        '  - maxConcurrentExecutions: expected a number > 0, found 0\nFix these fields and try again.',
    );
  });
});
