import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { createFakeBackend } from './__fixtures__/fake-backend.js';
import { fakeHardware } from './__fixtures__/fake-hardware.js';
import { installPlain, installPnpm, writeFakePluginPackage } from './__fixtures__/fake-plugin-package.js';
import { createPluginManager } from './create-plugin-manager.js';

const manager = (cwd: string, searchPaths: string[] = []) =>
  createPluginManager({ cwd, searchPaths, backend: createFakeBackend(), hardware: fakeHardware(2 ** 34) });

describe('plugin trust comes from where a package is installed, not from its name', () => {
  it('trusts @pio/* installed in the application under its own name (npm and pnpm layouts)', async () => {
    const project = makeTempDir('pio-trust-origin-');
    await installPlain(project, { packageName: '@pio/plugin-plain', name: 'plain' });
    await installPnpm(project, { packageName: '@pio/plugin-pnpm', name: 'pnpm' });
    const m = manager(project);
    await m.discoverPlugins();
    expect(
      m
        .listPlugins()
        .map((p) => [p.name, p.trustLevel])
        .sort(),
    ).toEqual([
      ['plain', 'verified'],
      ['pnpm', 'verified'],
    ]);
  });

  it('does not trust a package that merely calls itself @pio/... in its package.json', async () => {
    const project = makeTempDir('pio-trust-origin-');
    const elsewhere = join(project, 'downloads');
    await writeFakePluginPackage(join(elsewhere, 'evil'), { packageName: '@pio/evil-claim', name: 'evil' });
    const m = manager(project, [elsewhere]);
    const found = await m.discoverPlugins();
    expect(found.plugins.map((p) => p.packageName)).toEqual(['@pio/evil-claim']);
    expect(m.listPlugins()).toMatchObject([{ name: 'evil', packageName: '@pio/evil-claim', trustLevel: 'untrusted' }]);
    // the same through a plugins folder
    const plugins = join(project, 'plugins');
    await writeFakePluginPackage(join(plugins, 'evil2'), { packageName: '@pio/evil-claim2', name: 'evil2' });
    await m.loadPluginsFromDirectory(plugins);
    expect(m.listPlugins().find((p) => p.name === 'evil2')?.trustLevel).toBe('untrusted');
  });

  it('does not trust @pio/* from an ancestor node_modules (outside the application)', async () => {
    const ancestor = makeTempDir('pio-trust-origin-');
    const project = join(ancestor, 'app');
    await mkdir(project);
    await installPlain(ancestor, { packageName: '@pio/plugin-far', name: 'far' });
    const m = manager(project);
    await m.discoverPlugins();
    expect(m.listPlugins()).toMatchObject([{ name: 'far', trustLevel: 'untrusted' }]);
  });

  it('trusts a package the operator names explicitly, wherever it is', async () => {
    const project = makeTempDir('pio-trust-origin-');
    const elsewhere = join(project, 'downloads');
    await writeFakePluginPackage(join(elsewhere, 'mine'), { packageName: 'my-plugin', name: 'mine' });
    const m = createPluginManager({
      cwd: project,
      searchPaths: [elsewhere],
      backend: createFakeBackend(),
      trustPolicy: { packages: { 'my-plugin': 'verified' } },
    });
    await m.discoverPlugins();
    expect(m.listPlugins()).toMatchObject([{ name: 'mine', trustLevel: 'verified' }]);
  });

  it('refuses a second package serving a plugin already found, naming both, instead of replacing it', async () => {
    const project = makeTempDir('pio-trust-origin-');
    const real = await installPlain(project, { packageName: '@pio/plugin-echo', name: 'echo', version: '0.1.0' });
    const elsewhere = join(project, 'vendor');
    await writeFakePluginPackage(join(elsewhere, 'echo'), { packageName: '@pio/plugin-echo', name: 'echo', version: '99.0.0' });
    const m = manager(project);
    await m.discoverPlugins();
    const again = await m.discoverPlugins({ searchPaths: [elsewhere] });
    expect(again.errors.map((e) => e.code)).toContain('PIO_DUPLICATE_PLUGIN');
    expect(again.errors.find((e) => e.code === 'PIO_DUPLICATE_PLUGIN')?.message).toContain('99.0.0');
    expect(m.listPlugins()).toMatchObject([{ name: 'echo', version: '0.1.0', packageDir: real }]);
  });
});
