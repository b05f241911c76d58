import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { createFakeBackend } from './__fixtures__/fake-backend.js';
import { fakeHardware } from './__fixtures__/fake-hardware.js';
import { writeEchoModel } from './__fixtures__/fake-plugin-package.js';
import { createFakeTextPlugin } from './__fixtures__/fake-text-plugin.js';
import { createPluginManager } from './create-plugin-manager.js';
import type { PluginManager } from './plugin-manager.js';

/**
 * Every promise and stream method of the PluginManager reports a mistake (an unknown name, a plugin with no model
 * loaded, a missing folder) by rejecting, or for `streamGeneration` on the stream's first read: never synchronously,
 * so `manager.x(...).catch(...)` and `for await` always see it.
 */
const project = makeTempDir('pio-manager-async-');
let model: string;

beforeAll(async () => {
  model = await writeEchoModel(join(project, 'm'), { model_type: 'fake', architectures: ['FakeForCausalLM'] });
});

type Outcome = { threw?: unknown; rejected?: unknown; resolved?: unknown };

/** Calls `call`, then settles what it returned (a promise, or a stream's first `next()`). */
async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = call();
    if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
      result = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
    }
  } catch (error) {
    return { threw: error };
  }
  try {
    return { resolved: await result };
  } catch (error) {
    return { rejected: error };
  }
}

async function managerWithInactivePlugin(): Promise<PluginManager> {
  const manager = createPluginManager({ backend: createFakeBackend(), hardware: fakeHardware(2 ** 34), allowedRoots: [project], cwd: project });
  await manager.registerPlugin(createFakeTextPlugin().plugin);
  return manager;
}

describe('PluginManager async methods reject, never throw synchronously', () => {
  it.each<[string, (manager: PluginManager) => unknown, string]>([
    ['activatePlugin (unknown plugin)', (m) => m.activatePlugin('nope', { modelPath: model }), 'PIO_PLUGIN_NOT_FOUND'],
    ['activatePlugin (folder outside the roots)', (m) => m.activatePlugin('fake', { modelPath: tmpdir() }), 'PIO_PATH_NOT_ALLOWED'],
    ['executePlugin (unknown name)', (m) => m.executePlugin('nope', 'hi'), 'PIO_PLUGIN_NOT_FOUND'],
    ['executePlugin (no model loaded)', (m) => m.executePlugin('fake', 'hi'), 'PIO_PLUGIN_STATE'],
    ['streamGeneration (unknown name)', (m) => m.streamGeneration('nope', { kind: 'text', prompt: 'hi' }), 'PIO_PLUGIN_NOT_FOUND'],
    ['streamGeneration (no model loaded)', (m) => m.streamGeneration('fake', { kind: 'text', prompt: 'hi' }), 'PIO_PLUGIN_STATE'],
    ['deactivatePlugin (unknown name)', (m) => m.deactivatePlugin('nope'), 'PIO_PLUGIN_NOT_FOUND'],
    ['registerPlugin (a second plugin of the same name)', (m) => m.registerPlugin(createFakeTextPlugin().plugin), 'PIO_PLUGIN_STATE'],
    ['registerPlugin (not a plugin)', (m) => m.registerPlugin({} as never), ''],
    ['loadPluginsFromDirectory (missing folder)', (m) => m.loadPluginsFromDirectory(join(project, 'missing')), ''],
  ])('%s', async (_, call, code) => {
    const manager = await managerWithInactivePlugin();
    const outcome = await outcomeOf(() => call(manager));
    expect(outcome.threw, 'threw synchronously').toBeUndefined();
    if (outcome.rejected === undefined) {
      // a method may also answer the mistake without failing (an empty discovery result), but it never throws
      expect(code).toBe('');
      expect(outcome.resolved).toBeDefined();
    } else if (code !== '') {
      expect(outcome.rejected).toMatchObject({ code });
    }
    await manager.dispose();
  });

  it('streamGeneration on a disposed manager rejects on first read; the stream then ends', async () => {
    const manager = await managerWithInactivePlugin();
    await manager.dispose();
    const iterator = manager.streamGeneration('fake', { kind: 'text', prompt: 'hi' })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'PIO_PLUGIN_NOT_FOUND' });
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
  });
});
