import { join } from 'node:path';
import { createPluginManager } from '@pio/core';
import { createReferenceBackend } from '@pio/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import { NoPluginForModelError } from '../errors/no-plugin-for-model-error.js';
import { REPO_ROOT } from '../testing/run-pio.js';
import { createManagerHost } from './create-manager-host.js';
import type { ModelHost } from './model-host.js';

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'src', '__fixtures__');
const MODEL = join(FIXTURES, 'echo-model');

/** Discovery starts in an empty folder outside the workspace, so only the fixture plugins folder is found (the workspace's node_modules hold the real plugins). */
const EMPTY_CWD = makeTempDir('pio-host-');

function makeHost(): ModelHost {
  const manager = createPluginManager({
    cwd: EMPTY_CWD,
    searchPaths: [join(FIXTURES, 'plugins')],
    // a fixture folder is no trusted installation: the package is trusted by name (trust follows where a package is installed)
    trustPolicy: { packages: { 'pio-plugin-echo': 'sandboxed' } },
    backend: createReferenceBackend(),
    allowedRoots: [FIXTURES],
  });
  return createManagerHost({ manager });
}

describe('createManagerHost over a PluginManager', () => {
  let host: ModelHost | undefined;
  afterEach(async () => host?.close());

  it('matches the plugin by config.json and serves two models of one plugin at once', async () => {
    host = makeHost();
    const plugins = await host.listPlugins();
    expect(plugins.map((p) => [p.name, p.packageName])).toEqual([['echo', 'pio-plugin-echo']]);
    const progress: number[] = [];
    const [first, second] = await Promise.all([
      host.registerModel({ modelId: 'a', source: MODEL, onProgress: (p) => progress.push(p.loaded) }),
      host.registerModel({ modelId: 'b', source: MODEL, pluginId: 'echo' }),
    ]);
    expect(first.pluginName).toBe('echo');
    expect(second.pluginName).toBe('echo');
    expect(first.plugin).not.toBe(second.plugin);
    expect(progress).toEqual([1, 2]);
    expect((await first.plugin.generateText('x y')).text).toBe('echo: x y');
    expect((await host.listPlugins()).map((p) => p.name)).toEqual(['echo']);
    const duplicate = await host.registerModel({ modelId: 'a', source: MODEL }).catch((e: unknown) => e);
    expect(ModelAlreadyRegisteredError.isInstance(duplicate)).toBe(true);

    expect(await host.unregisterModel('a')).toBe(true);
    expect(await host.unregisterModel('a')).toBe(false);
    expect(host.listModels().map((m) => m.id)).toEqual(['b']);
    expect((await second.plugin.generateText('still here')).text).toBe('echo: still here');
    const third = await host.registerModel({ modelId: 'c', source: MODEL });
    expect((await third.plugin.generateText('z')).text).toBe('echo: z');
  });

  it('refuses a folder no plugin serves, naming the installed plugins', async () => {
    host = makeHost();
    const error = await host.registerModel({ modelId: 'x', source: join(FIXTURES, 'unknown-model') }).catch((e: unknown) => e);
    expect(NoPluginForModelError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ installed: ['echo'] });
    expect(host.listModels()).toEqual([]);
  });
});
