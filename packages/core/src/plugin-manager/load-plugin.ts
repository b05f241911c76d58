import { pathToFileURL } from 'node:url';
import { PioError } from '../errors/pio-error.js';
import { PluginLoadError } from '../errors/plugin-load-error.js';
import type { PluginFactory } from '../plugin/plugin-factory.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import { resolvePluginEntry, type ResolvePluginEntryOptions } from './resolve-plugin-entry.js';

/**
 * Imports a plugin package's entry module and returns the factory it exports under the manifest's `export` name.
 * This is the only place plugin code is imported; discovery never does it.
 *
 * @throws PluginLoadError when the module cannot be found or imported, or lacks the export.
 */
export async function loadPluginFactory(pkg: PluginPackage, options: ResolvePluginEntryOptions = {}): Promise<PluginFactory> {
  const modulePath = await resolvePluginEntry(pkg, options);
  const pluginName = pkg.manifest.name;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  } catch (error) {
    if (PioError.isInstance(error)) throw error;
    const hint = modulePath.endsWith('.ts') ? ' This is a TypeScript source: build the package, or run under a TypeScript loader (vitest, tsx).' : '';
    throw new PluginLoadError(
      { pluginName, modulePath, reason: `importing it failed: ${(error as Error).message ?? String(error)}.${hint}` },
      { cause: error },
    );
  }
  const factory = module[pkg.manifest.export];
  if (typeof factory !== 'function') {
    throw new PluginLoadError({
      pluginName,
      modulePath,
      reason: `it has no exported function "${pkg.manifest.export}" (the manifest's "export"); exports: ${Object.keys(module).join(', ') || '(none)'}.`,
    });
  }
  return factory as PluginFactory;
}
