import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { IncompatibleSpecVersionError } from '../errors/incompatible-spec-version-error.js';
import { DuplicatePluginError } from '../errors/duplicate-plugin-error.js';
import { InvalidManifestError } from '../errors/invalid-manifest-error.js';
import { PathNotAllowedError } from '../errors/path-not-allowed-error.js';
import { installPlain, installPnpm, writeFakePluginPackage } from './__fixtures__/fake-plugin-package.js';
import { discoverPlugins } from './discover-plugins.js';
import { loadPluginsFromDirectory } from './load-plugins-from-directory.js';
import { readPluginPackage } from './read-plugin-package.js';

describe('discoverPlugins', () => {
  it('finds plain and scoped packages marked with the keyword, and ignores others', async () => {
    const project = makeTempDir('pio-discover-');
    await installPlain(project, { packageName: 'pio-plugin-echo' });
    await installPlain(project, { packageName: '@acme/pio-reverse', name: 'reverse' });
    await mkdir(join(project, 'node_modules', 'left-pad'), { recursive: true });
    await writeFile(join(project, 'node_modules', 'left-pad', 'package.json'), JSON.stringify({ name: 'left-pad', version: '1.0.0' }));
    await writeFile(join(project, 'node_modules', '.modules.yaml'), '');

    const result = await discoverPlugins({ cwd: project, includePnpmStore: false });
    expect(result.errors).toEqual([]);
    const found = [...result.plugins].sort((a, b) => a.packageName.localeCompare(b.packageName));
    expect(found.map((p) => [p.packageName, p.manifest.name, p.version, p.packageDir])).toEqual([
      ['@acme/pio-reverse', 'reverse', '1.0.0', join(project, 'node_modules', '@acme', 'pio-reverse')],
      ['pio-plugin-echo', 'echo', '1.0.0', join(project, 'node_modules', 'pio-plugin-echo')],
    ]);
    expect(found[1].manifest).toEqual({
      manifestVersion: 1,
      specificationVersion: 'v1',
      name: 'echo',
      entry: './index.js',
      export: 'createEchoPlugin',
      description: 'Echoes its prompt.',
      architectures: ['EchoForCausalLM'],
      modelTypes: ['echo'],
      modalities: { input: ['text', 'image'], output: ['text'] },
      license: 'MIT',
      requiredTrust: 'sandboxed',
    });
  });

  it("finds packages in pnpm's layout: symlinks into .pnpm and the store itself", async () => {
    const project = makeTempDir('pio-discover-');
    const linked = await installPnpm(project, { packageName: '@acme/pio-echo' });
    const storeOnly = await installPnpm(project, { packageName: 'pio-transitive', name: 'transitive' }, false);
    const result = await discoverPlugins({ cwd: join(project) });
    expect(result.errors).toEqual([]);
    expect(result.plugins.map((p) => [p.manifest.name, p.packageDir]).sort()).toEqual([
      ['echo', linked],
      ['transitive', storeOnly],
    ]);
    // without the store, only the linked package is seen (through its symlink, read once)
    const linkedOnly = await discoverPlugins({ cwd: project, includePnpmStore: false });
    expect(linkedOnly.plugins.map((p) => p.packageDir)).toEqual([linked]);
  });

  it('scans node_modules of parent folders and extra search paths', async () => {
    const project = makeTempDir('pio-discover-');
    await installPlain(project, { packageName: 'pio-plugin-echo' });
    const nested = join(project, 'apps', 'web');
    await mkdir(nested, { recursive: true });
    const extra = join(project, 'vendor-plugins');
    await writeFakePluginPackage(join(extra, 'reverse'), { packageName: 'pio-reverse', name: 'reverse' });
    const result = await discoverPlugins({ cwd: nested, searchPaths: [extra] });
    expect(result.plugins.map((p) => p.manifest.name).sort()).toEqual(['echo', 'reverse']);
  });

  it('refuses a plugin name served by two packages, naming both, instead of picking the higher version', async () => {
    const project = makeTempDir('pio-discover-');
    const plain = await installPlain(project, { packageName: 'pio-plugin-echo', version: '1.2.0' });
    const fork = await installPnpm(project, { packageName: '@acme/echo-fork', version: '99.0.0' }, false);
    await installPlain(project, { packageName: 'pio-plugin-other', name: 'other' });
    const result = await discoverPlugins({ cwd: project });
    expect(result.plugins.map((p) => p.manifest.name)).toEqual(['other']);
    const duplicate = result.errors.find((e) => DuplicatePluginError.isInstance(e));
    expect(duplicate).toMatchObject({ code: 'PIO_DUPLICATE_PLUGIN', pluginName: 'echo' });
    expect(duplicate!.message).toContain(`pio-plugin-echo@1.2.0 (${plain})`);
    expect(duplicate!.message).toContain(`@acme/echo-fork@99.0.0 (${fork})`);
  });

  it('refuses a plugin in an ancestor node_modules that claims the name of an installed one', async () => {
    const ancestor = makeTempDir('pio-discover-');
    const project = join(ancestor, 'app');
    await mkdir(project);
    await installPlain(project, { packageName: '@pio/plugin-echo', version: '0.1.0' });
    await installPlain(ancestor, { packageName: '@pio/plugin-echo', version: '99.0.0' });
    const result = await discoverPlugins({ cwd: project });
    expect(result.plugins).toEqual([]);
    expect(result.errors.map((e) => e.code)).toEqual(['PIO_DUPLICATE_PLUGIN']);
  });

  it('uses the project copy of a package also installed at the same version in a search path (next to a global CLI)', async () => {
    const project = makeTempDir('pio-discover-');
    const local = await installPlain(project, { packageName: '@pio/plugin-echo', version: '0.1.0' });
    const global = join(makeTempDir('pio-discover-'), 'lib', 'node_modules');
    await writeFakePluginPackage(join(global, '@pio', 'plugin-echo'), { packageName: '@pio/plugin-echo', version: '0.1.0' });
    const result = await discoverPlugins({ cwd: project, searchPaths: [global] });
    expect(result.errors).toEqual([]);
    expect(result.plugins.map((p) => p.packageDir)).toEqual([local]);
    // another version there is still two candidates for one name: refused
    await writeFakePluginPackage(join(global, '@pio', 'plugin-echo'), { packageName: '@pio/plugin-echo', version: '0.2.0' });
    const refused = await discoverPlugins({ cwd: project, searchPaths: [global] });
    expect(refused.plugins).toEqual([]);
    expect(refused.errors.map((e) => e.code)).toEqual(['PIO_DUPLICATE_PLUGIN']);
  });

  it('reports invalid manifests without stopping the scan', async () => {
    const project = makeTempDir('pio-discover-');
    await installPlain(project, { packageName: 'pio-plugin-echo' });
    await installPlain(project, {
      packageName: 'pio-broken',
      pio: { manifestVersion: 2, entry: '../outside.js', name: 'Bad_Name', architectures: [], modalities: null },
    });
    const result = await discoverPlugins({ cwd: project });
    expect(result.plugins.map((p) => p.manifest.name)).toEqual(['echo']);
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0] as InvalidManifestError;
    expect(InvalidManifestError.isInstance(error)).toBe(true);
    const path = join(project, 'node_modules', 'pio-broken', 'package.json');
    expect(error.message).toBe(
      `Invalid PIO plugin manifest in ${path} (package "pio-broken"):\n` +
        '  - pio.name: expected lowercase letters, digits and dashes, found "Bad_Name"\n' +
        '  - pio.architectures: expected at least 1 items, found an array of 0 items\n' +
        '  - pio.modalities: expected object, found nothing (missing)\n' +
        '  - pio.manifestVersion: expected 1, found 2\n' +
        '  - pio.entry: expected a path inside the package starting with "./" (no ".." segments), found "../outside.js"\n' +
        'Fix the "pio" field of the package.json (see PluginManifest in @pio/core).',
    );
  });

  it('refuses a manifest for another plugin spec version', async () => {
    const project = makeTempDir('pio-discover-');
    await installPlain(project, { packageName: 'pio-future', pio: { specificationVersion: 'v2' } });
    const result = await discoverPlugins({ cwd: project });
    expect(result.plugins).toEqual([]);
    expect(IncompatibleSpecVersionError.isInstance(result.errors[0])).toBe(true);
    expect(result.errors[0].message).toBe(
      'Plugin "echo" implements plugin spec v2, but @pio/core implements v1. Install a version of the plugin built for ' +
        'spec v1, or a @pio/core that implements v2.',
    );
  });
});

describe('loadPluginsFromDirectory', () => {
  it('reads every subfolder as a plugin package and reports those that are not', async () => {
    const dir = join(makeTempDir('pio-discover-'), 'plugins');
    await writeFakePluginPackage(join(dir, 'echo'), { packageName: 'pio-plugin-echo' });
    await writeFakePluginPackage(join(dir, 'unmarked'), { packageName: 'unmarked', name: 'unmarked', keywords: ['llm'] });
    await mkdir(join(dir, 'empty'));
    await mkdir(join(dir, '.cache'));
    const target = join(dir, '..', 'linked-target');
    await writeFakePluginPackage(target, { packageName: 'pio-linked', name: 'linked' });
    await symlink(relative(dir, target), join(dir, 'linked'), 'dir');

    const inside = join(dir, '.store', 'inner'); // hidden folders are not read themselves
    await writeFakePluginPackage(inside, { packageName: 'pio-inner', name: 'inner' });
    await symlink(join('.store', 'inner'), join(dir, 'inner-link'), 'dir');

    const result = await loadPluginsFromDirectory(dir);
    // a symlink to a package inside the folder is followed; one pointing outside it is refused
    expect(result.plugins.map((p) => p.manifest.name).sort()).toEqual(['echo', 'inner']);
    const refused = result.errors.find((e) => PathNotAllowedError.isInstance(e));
    expect(refused).toMatchObject({ path: join(dir, 'linked'), reason: 'outside-roots' });
    const messages = result.errors
      .filter((e) => !PathNotAllowedError.isInstance(e))
      .map((e) => e.message)
      .sort();
    expect(messages).toEqual([
      `Invalid PIO plugin manifest in ${join(dir, 'empty', 'package.json')}:\n  - (root): expected a package.json file, found nothing (ENOENT)\n` +
        'Fix the "pio" field of the package.json (see PluginManifest in @pio/core).',
      `Invalid PIO plugin manifest in ${join(dir, 'unmarked', 'package.json')} (package "unmarked"):\n` +
        '  - keywords: expected an array containing "pio-plugin", found no such keyword\n' +
        'Fix the "pio" field of the package.json (see PluginManifest in @pio/core).',
    ]);
  });

  it('refuses a folder that does not exist', async () => {
    const error = await loadPluginsFromDirectory(join(makeTempDir('pio-discover-'), 'nope')).catch((e: unknown) => e);
    expect(InvalidManifestError.isInstance(error)).toBe(true);
  });
});

describe('workspace plugin manifests', () => {
  const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  it('are valid: qwen3-vl and glm-flash', async () => {
    const qwen = await readPluginPackage(join(packages, 'plugin-qwen3-vl'));
    expect(qwen?.packageName).toBe('@pio/plugin-qwen3-vl');
    expect(qwen?.manifest).toMatchObject({
      name: 'qwen3-vl',
      export: 'createQwen3VLPlugin',
      entry: './dist/index.js',
      source: './src/index.ts',
      architectures: ['Qwen3VLForConditionalGeneration'],
      modelTypes: ['qwen3_vl'],
      modalities: { input: ['text', 'image'], output: ['text'] },
    });
    const glm = await readPluginPackage(join(packages, 'plugin-glm-flash'));
    expect(glm?.manifest).toMatchObject({
      name: 'glm-flash',
      export: 'createGlmFlashPlugin',
      architectures: ['Glm4MoeLiteForCausalLM'],
      modelTypes: ['glm4_moe_lite'],
      modalities: { input: ['text'], output: ['text'] },
    });
  });
});
