import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { InsufficientMemoryError } from '../errors/insufficient-memory-error.js';
import { PathNotAllowedError } from '../errors/path-not-allowed-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import { PluginNotFoundError } from '../errors/plugin-not-found-error.js';
import { TrustError } from '../errors/trust-error.js';
import { IncompatibleSpecVersionError } from '../errors/incompatible-spec-version-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import type { GenerateTextResult } from '../plugin/text-model-plugin-interface.js';
import { createFakeBackend } from './__fixtures__/fake-backend.js';
import { fakeHardware } from './__fixtures__/fake-hardware.js';
import { fakeCalls, installPlain, installPnpm, writeEchoModel, writeFakePluginPackage } from './__fixtures__/fake-plugin-package.js';
import { createPluginManager } from './create-plugin-manager.js';
import type { PluginManagerOptions } from './plugin-manager.js';

const GiB = 2 ** 30;

/** A manager over `project` that trusts `@acme/*` packages as sandboxed, with 16 GiB free and no reserve to think of. */
function managerFor(project: string, extra: Partial<PluginManagerOptions> = {}) {
  return createPluginManager({
    cwd: project,
    backend: createFakeBackend(),
    hardware: fakeHardware(16 * GiB),
    trustPolicy: { allow: ['@acme/*'], allowedLevel: 'sandboxed' },
    ...extra,
  });
}

describe('a plugin package installed in node_modules', () => {
  it.each([
    ['plain', installPlain],
    ['pnpm', installPnpm],
  ] as const)('is discovered, activated and executed (%s layout)', async (_layout, install) => {
    const project = makeTempDir('pio-manager-');
    const packageDir = await install(project, { packageName: '@acme/pio-echo', name: `echo-${_layout}` });
    const model = await writeEchoModel(join(project, 'models', 'echo'));
    const manager = managerFor(project);

    const discovered = await manager.discoverPlugins();
    expect(discovered.plugins.map((p) => p.packageDir)).toEqual([packageDir]);
    expect(manager.listPlugins()).toMatchObject([
      {
        name: `echo-${_layout}`,
        packageName: '@acme/pio-echo',
        origin: 'discovered',
        trustLevel: 'sandboxed',
        state: 'inactive',
        active: false,
        codeLoaded: false,
      },
    ]);
    expect(fakeCalls(`echo-${_layout}`)).toEqual([]); // discovery imports no code

    const progress: string[] = [];
    await manager.activatePlugin(`echo-${_layout}`, { modelPath: model, onProgress: (p) => progress.push(p.phase) });
    expect(progress).toEqual(['ready']);
    expect(fakeCalls(`echo-${_layout}`)).toEqual(['initialize', 'loadModel']);
    const [info] = manager.listPlugins();
    expect(info).toMatchObject({ state: 'active', active: true, codeLoaded: true, modelPath: model });
    expect(info.settings).toMatchObject({ device: 'cpu', storage: 'float32' });

    const result = (await manager.executePlugin(`echo-${_layout}`, 'hello', { image: 'cat.png', maxNewTokens: 8 })) as GenerateTextResult;
    expect(result.text).toBe('float32|hello|cat.png|8');
    expect(await manager.executePlugin(`echo-${_layout}`, 'raw', { maxNewTokens: 3 })).toMatchObject({ text: 'float32|raw||3' });

    expect(await manager.deactivatePlugin(`echo-${_layout}`)).toBe(true);
    expect(fakeCalls(`echo-${_layout}`)).toEqual(['initialize', 'loadModel', 'cleanup']);
    await manager.dispose();
    expect(manager.listPlugins()).toEqual([]);
  });

  it('is refused by the trust policy when not allow-listed', async () => {
    const project = makeTempDir('pio-manager-');
    await installPlain(project, { packageName: 'random-echo', name: 'echo-untrusted' });
    await installPlain(project, { packageName: '@acme/needs-verified', name: 'echo-verified', pio: { requiredTrust: 'verified' } });
    const model = await writeEchoModel(join(project, 'models', 'echo'));
    const manager = managerFor(project);
    await manager.discoverPlugins();

    const untrusted = await manager.activatePlugin('echo-untrusted', { modelPath: model }).catch((e: unknown) => e);
    expect(TrustError.isInstance(untrusted)).toBe(true);
    expect(untrusted).toMatchObject({ packageName: 'random-echo', level: 'untrusted', requiredLevel: 'sandboxed' });
    const low = await manager.activatePlugin('echo-verified', { modelPath: model }).catch((e: unknown) => e);
    expect(low).toMatchObject({ code: 'PIO_TRUST', packageName: '@acme/needs-verified', level: 'sandboxed', requiredLevel: 'verified' });
    expect(fakeCalls('echo-untrusted')).toEqual([]); // refused before any code was imported
    expect(manager.listPlugins().map((p) => p.state)).toEqual(['inactive', 'inactive']);
  });

  it('refuses model paths outside the allowed roots, through ".." or a symlink', async () => {
    const project = makeTempDir('pio-manager-');
    await installPlain(project, { packageName: '@acme/pio-echo', name: 'echo-paths' });
    const elsewhere = makeTempDir('pio-manager-');
    const outsideModel = await writeEchoModel(join(elsewhere, 'model'));
    await mkdir(join(project, 'models'), { recursive: true });
    await symlink(outsideModel, join(project, 'models', 'sneaky'), 'dir');
    const manager = managerFor(project, { allowedRoots: [join(project, 'models')] });
    await manager.discoverPlugins();

    for (const modelPath of [outsideModel, join(project, 'models', 'sneaky'), `${project}/models/../../${elsewhere}`]) {
      const error = await manager.activatePlugin('echo-paths', { modelPath }).catch((e: unknown) => e);
      expect(PathNotAllowedError.isInstance(error)).toBe(true);
    }
    const symlinked = (await manager
      .activatePlugin('echo-paths', { modelPath: join(project, 'models', 'sneaky') })
      .catch((e: unknown) => e)) as PathNotAllowedError;
    expect(symlinked.resolvedPath).toBe(outsideModel);
    // ".." is refused even when the path would land inside the root, relative paths included
    await writeEchoModel(join(project, 'models', 'ok'));
    for (const modelPath of [`${project}/models/ok/../ok`, 'models/ok/../ok']) {
      const error = (await manager.activatePlugin('echo-paths', { modelPath }).catch((e: unknown) => e)) as PathNotAllowedError;
      expect(error.reason).toBe('parent-segment');
    }
    await manager.activatePlugin('echo-paths', { modelPath: 'models/ok' });
    expect(manager.listPlugins()[0].modelPath).toBe(join(project, 'models', 'ok'));
    await manager.deactivatePlugin('echo-paths');
    expect(fakeCalls('echo-paths')).toEqual(['initialize', 'loadModel', 'cleanup']); // only the allowed activation ran
  });

  it('refuses a model that does not fit before loading anything', async () => {
    const project = makeTempDir('pio-manager-');
    await installPlain(project, { packageName: '@acme/pio-echo', name: 'echo-big' });
    // 1e9 parameters: int4 weights alone are 0.5e9 bytes + 1000 runtime bytes
    const model = await writeEchoModel(join(project, 'models', 'big'), { num_parameters: 1e9 });
    const manager = managerFor(project, { hardware: fakeHardware(0.75 * GiB), configManager: undefined, limits: {} });
    await manager.discoverPlugins();
    const error = await manager.activatePlugin('echo-big', { modelPath: model }).catch((e: unknown) => e);
    expect(InsufficientMemoryError.isInstance(error)).toBe(true);
    // 0.75 GiB free less the default 512 MiB reserve = 256 MiB available
    expect(error).toMatchObject({ neededBytes: 0.5e9 + 1000, availableBytes: 0.25 * GiB, storage: 'int4', device: 'cpu' });
    expect((error as Error).message).toContain('it needs 476.8 MiB (500001000 bytes) but only 256.0 MiB (268435456 bytes) is available');
    expect(fakeCalls('echo-big')).toEqual([]); // neither initialize nor loadModel ran
    expect(manager.listPlugins()[0].state).toBe('inactive');

    const limited = managerFor(project, { limits: { memoryBytes: 1000 } });
    await limited.discoverPlugins();
    const small = await writeEchoModel(join(project, 'models', 'small'), { num_parameters: 10 });
    await expect(limited.activatePlugin('echo-big', { modelPath: small })).rejects.toMatchObject({
      code: 'PIO_INSUFFICIENT_MEMORY',
      availableBytes: 1000,
      limitedBy: 'limits.memoryBytes',
    });
  });

  it('refuses a plugin whose code implements another spec version', async () => {
    const project = makeTempDir('pio-manager-');
    await installPlain(project, { packageName: '@acme/pio-old', name: 'echo-old', runtimeSpecificationVersion: 'v0' });
    const model = await writeEchoModel(join(project, 'models', 'echo'));
    const manager = managerFor(project);
    await manager.discoverPlugins();
    const error = await manager.activatePlugin('echo-old', { modelPath: model }).catch((e: unknown) => e);
    expect(IncompatibleSpecVersionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ pluginName: 'echo-old', pluginVersion: 'v0', coreVersion: 'v1' });
    expect((error as Error).message).toBe(
      'Plugin "echo-old" implements plugin spec v0, but @pio/core implements v1. Install a version of the plugin built ' +
        'for spec v1, or a @pio/core that implements v0.',
    );
    expect(manager.listPlugins()[0].state).toBe('inactive');
  });

  it('reports a missing export, a missing entry and an unsupported model', async () => {
    const project = makeTempDir('pio-manager-');
    await installPlain(project, { packageName: '@acme/no-export', name: 'no-export', pio: { export: 'createOther' } });
    await installPlain(project, { packageName: '@acme/no-entry', name: 'no-entry', pio: { entry: './dist/index.js' } });
    await installPlain(project, { packageName: '@acme/pio-echo', name: 'echo-picky' });
    const model = await writeEchoModel(join(project, 'models', 'echo'));
    const other = await writeEchoModel(join(project, 'models', 'other'), { model_type: 'llama', architectures: ['LlamaForCausalLM'] });
    const manager = managerFor(project);
    await manager.discoverPlugins();
    const noExport = await manager.activatePlugin('no-export', { modelPath: model }).catch((e: unknown) => e);
    expect(PluginLoadError.isInstance(noExport)).toBe(true);
    expect((noExport as Error).message).toBe(
      `Could not load plugin "no-export" from ${join(project, 'node_modules/@acme/no-export/index.js')}: it has no exported ` +
        'function "createOther" (the manifest\'s "export"); exports: createEchoPlugin.',
    );
    const noEntry = await manager.activatePlugin('no-entry', { modelPath: model }).catch((e: unknown) => e);
    expect((noEntry as Error).message).toBe(
      `Could not load plugin "no-entry": none of "./dist/index.js" exists in ${join(project, 'node_modules/@acme/no-entry')}. ` +
        'Build the package (e.g. `pnpm build`) or reinstall it.',
    );
    const unsupported = await manager.activatePlugin('echo-picky', { modelPath: other }).catch((e: unknown) => e);
    expect(UnsupportedModelError.isInstance(unsupported)).toBe(true);
    expect(fakeCalls('echo-picky')).toEqual([]);
  });

  it('finds the plugin for a model by its config.json', async () => {
    const project = makeTempDir('pio-manager-');
    await installPlain(project, { packageName: '@acme/pio-echo', name: 'echo-find' });
    await installPlain(project, { packageName: '@acme/pio-typed', name: 'typed-only', pio: { architectures: ['Other'], modelTypes: ['echo'] } });
    const model = await writeEchoModel(join(project, 'models', 'echo'));
    const llama = await writeEchoModel(join(project, 'models', 'llama'), { model_type: 'llama', architectures: ['LlamaForCausalLM'] });
    const manager = managerFor(project);
    await manager.discoverPlugins();
    expect((await manager.findPluginForModel(model))?.name).toBe('echo-find');
    expect(await manager.findPluginForModel(llama)).toBeUndefined();
    await expect(manager.findPluginForModel('/etc')).rejects.toMatchObject({ code: 'PIO_PATH_NOT_ALLOWED' });
    await expect(manager.activatePlugin('nope', { modelPath: model })).rejects.toSatisfy(PluginNotFoundError.isInstance);
  });
});

describe('loadPluginsFromDirectory through the manager', () => {
  it('registers and runs a plugin from a plugins folder, from its TypeScript source when not built', async () => {
    const project = makeTempDir('pio-manager-');
    const dir = join(project, 'plugins', 'ts-echo');
    await writeFakePluginPackage(dir, {
      packageName: '@acme/ts-echo',
      name: 'ts-echo',
      pio: { entry: './dist/index.js', source: './src/index.ts' },
    });
    await mkdir(join(dir, 'src'));
    const { fakePluginSource } = await import('./__fixtures__/fake-plugin-package.js');
    // TypeScript-only syntax (a type annotation) proves the source file went through the loader
    const source = fakePluginSource({ name: 'ts-echo', exportName: 'createEchoPlugin' }).replace(
      'export function createEchoPlugin()',
      'export function createEchoPlugin(): any',
    );
    await writeFile(join(dir, 'src', 'index.ts'), source);
    const model = await writeEchoModel(join(project, 'models', 'echo'));
    // a plugins folder is not an installation: the name pattern @acme/* alone does not trust it, an explicit entry does
    const byPattern = managerFor(project);
    await byPattern.loadPluginsFromDirectory('plugins');
    expect(byPattern.listPlugins()).toMatchObject([{ name: 'ts-echo', origin: 'directory', trustLevel: 'untrusted' }]);
    const manager = managerFor(project, { trustPolicy: { packages: { '@acme/ts-echo': 'sandboxed' } } });
    const result = await manager.loadPluginsFromDirectory('plugins');
    expect(result.errors).toEqual([]);
    expect(manager.listPlugins()).toMatchObject([{ name: 'ts-echo', origin: 'directory', trustLevel: 'sandboxed' }]);
    await manager.activatePlugin('ts-echo', { modelPath: model, storage: 'int8' });
    expect(await manager.executePlugin('ts-echo', 'hi')).toMatchObject({ text: 'int8|hi||undefined' });
    await manager.dispose();
  });
});
