import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PioError } from '../errors/pio-error.js';
import type { PluginPackage } from '../plugin/plugin-package.js';
import { DuplicatePluginError } from '../errors/duplicate-plugin-error.js';
import { readPluginPackage } from './read-plugin-package.js';

/** Options of {@link discoverPlugins}. */
export interface DiscoverPluginsOptions {
  /** Folder to start from; its `node_modules` and those of every parent folder are scanned. Default `process.cwd()`. */
  cwd?: string;
  /** More folders laid out like `node_modules` (package folders and `@scope` folders) to scan. */
  searchPaths?: readonly string[];
  /** Also scan pnpm's virtual store (`node_modules/.pnpm`), which holds packages not linked at the top. Default true. */
  includePnpmStore?: boolean;
}

/** What {@link discoverPlugins} found. */
export interface DiscoveryResult {
  /** One plugin package per plugin name (a name two packages declare is left out and reported in `errors`). */
  readonly plugins: readonly PluginPackage[];
  /**
   * Packages marked as plugins whose manifest was refused (`InvalidManifestError`, `IncompatibleSpecVersionError`),
   * plugin names declared by two packages (`DuplicatePluginError`) and refused folders (`PathNotAllowedError`).
   */
  readonly errors: readonly PioError[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory(); // follows symlinks (pnpm links packages)
  } catch {
    return false;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Package folders directly in a node_modules-like folder: `name` and `@scope/name`. */
async function packageDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await list(dir)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const inner of await list(join(dir, name))) if (!inner.startsWith('.')) out.push(join(dir, name, inner));
    } else {
      out.push(join(dir, name));
    }
  }
  return out;
}

/**
 * Package folders in pnpm's virtual store: each entry `.pnpm/<name>@<version>[_peers]` (with `/` of scoped names
 * written `+`) holds its package at `node_modules/<name>`.
 */
async function pnpmStoreDirs(nodeModules: string): Promise<string[]> {
  const store = join(nodeModules, '.pnpm');
  const out: string[] = [];
  for (const entry of await list(store)) {
    const at = entry.indexOf('@', 1);
    if (at <= 0 || entry === 'node_modules') continue;
    const name = entry.startsWith('@') ? entry.slice(0, at).replace('+', '/') : entry.slice(0, at);
    out.push(join(store, entry, 'node_modules', name));
  }
  return out;
}

/** Every `node_modules` folder from `cwd` up to the file system root. */
function nodeModulesChain(cwd: string): string[] {
  const out: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    out.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) return out;
  }
}

/**
 * Finds installed PIO plugin packages (package.json `keywords` containing `pio-plugin`, manifest in its `pio`
 * field) by scanning `node_modules` from `cwd` upwards: plain and scoped packages, pnpm's symlinked layout and its
 * virtual store. Reads package.json files only; no plugin code is imported. Packages seen twice (symlinks) are
 * read once; the same package at the same version found twice (in the project and in a search path, e.g. next to a
 * global CLI) is used from the first place found (the project's `node_modules`, nearest first). A plugin name declared
 * by two different packages or versions (another version in an ancestor's `node_modules`, a package calling itself
 * by another's name) is a `DuplicatePluginError` naming both, and neither is used.
 */
export async function discoverPlugins(options: DiscoverPluginsOptions = {}): Promise<DiscoveryResult> {
  const roots = [...nodeModulesChain(options.cwd ?? process.cwd()), ...(options.searchPaths ?? []).map((p) => resolve(p))];
  const candidates: string[] = [];
  for (const root of roots) {
    if (!(await isDirectory(root))) continue;
    candidates.push(...(await packageDirs(root)));
    if (options.includePnpmStore ?? true) candidates.push(...(await pnpmStoreDirs(root)));
  }
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const dir of candidates) {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      continue; // dangling symlink or missing store entry
    }
    if (seen.has(real)) continue;
    seen.add(real);
    unique.push(dir);
  }
  return readPluginPackages(unique, false);
}

/**
 * Reads the given package folders as plugin packages; a plugin name declared by two of them is reported as a
 * {@link DuplicatePluginError} and left out, unless both are the same package at the same version (then the first
 * folder is used).
 *
 * @param requireKeyword - true to report folders that are not plugin packages as errors.
 */
export async function readPluginPackages(dirs: readonly string[], requireKeyword: boolean): Promise<DiscoveryResult> {
  const results = await Promise.all(
    dirs.map(async (dir) => {
      try {
        return { pkg: await readPluginPackage(dir, { requireKeyword }), error: undefined };
      } catch (error) {
        if (PioError.isInstance(error)) return { pkg: undefined, error };
        throw error;
      }
    }),
  );
  const byName = new Map<string, PluginPackage[]>();
  const errors: PioError[] = [];
  for (const result of results) {
    if (result.error !== undefined) {
      errors.push(result.error);
      continue;
    }
    const pkg = result.pkg;
    if (pkg === undefined) continue;
    const list = byName.get(pkg.manifest.name) ?? [];
    if (!list.some((other) => other.packageDir === pkg.packageDir)) list.push(pkg);
    byName.set(pkg.manifest.name, list);
  }
  const plugins: PluginPackage[] = [];
  for (const [pluginName, list] of byName) {
    const [first] = list;
    // one package at one version installed twice (in the project and next to a global CLI): the first found, the
    // nearest, as Node would resolve it; two packages or two versions under one plugin name are refused
    if (list.every((pkg) => pkg.packageName === first.packageName && pkg.version === first.version)) plugins.push(first);
    else errors.push(new DuplicatePluginError({ pluginName, packages: list.map(describePackage) }));
  }
  return { plugins, errors };
}

/** `name@version (folder)`, for messages. */
export function describePackage(pkg: PluginPackage): string {
  return `${pkg.packageName}@${pkg.version} (${pkg.packageDir})`;
}
