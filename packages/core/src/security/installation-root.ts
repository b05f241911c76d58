import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the installation a package folder belongs to: the folder holding its outermost `node_modules`
 * (`/app` for `/app/node_modules/.pnpm/@pio+core@1/node_modules/@pio/core`), or, for a package outside any
 * `node_modules` (a workspace checkout, `/repo/packages/core`), the folder of its sibling packages (`/repo/packages`).
 */
export function installationRootOf(packageDir: string): string {
  const parts = packageDir.split(sep);
  const first = parts.indexOf('node_modules');
  if (first > 0) return parts.slice(0, first).join(sep) || sep;
  return dirname(packageDir);
}

/** The real folder of the `@pio/core` package that runs this code. */
function corePackageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === '@pio/core') return realpathSync(dir);
      } catch {
        // not JSON: keep walking up
      }
    }
    if (dirname(dir) === dir) return realpathSync(here);
  }
}

/** The installation `@pio/core` itself runs from (see {@link installationRootOf}); plugins found there may be trusted by name. */
export function coreInstallationRoot(): string {
  return installationRootOf(corePackageDir());
}

/**
 * The packages folder of the workspace checkout `@pio/core` runs from (`/repo/packages`), whose sibling packages are
 * PIO's own; `undefined` when core is installed from a registry (inside `node_modules`).
 */
export function coreWorkspacePackagesDir(): string | undefined {
  const dir = corePackageDir();
  return dir.split(sep).includes('node_modules') ? undefined : dirname(dir);
}

/**
 * True when a package (its real folder and the name its package.json declares) was installed into one of `roots` under
 * its own name (inside a root, at `node_modules/<name>`: npm's and pnpm's layouts), or is a sibling of core in its
 * workspace checkout (`workspacePackagesDir`). A package whose folder is not its declared name (it merely calls
 * itself `@pio/...`), or that lies outside the roots (an ancestor's `node_modules`), is not.
 */
export function isInstalledUnder(roots: readonly string[], packageDir: string, packageName: string, workspacePackagesDir?: string): boolean {
  if (workspacePackagesDir !== undefined && dirname(packageDir) === workspacePackagesDir) return true;
  return roots.some((root) => {
    const rel = relative(root, packageDir);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || !rel.split(sep).includes('node_modules')) return false;
    return packageDir.endsWith(`${sep}node_modules${sep}${packageName.split('/').join(sep)}`);
  });
}
