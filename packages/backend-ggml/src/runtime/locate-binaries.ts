import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The GPU flavours of the `@node-llama-cpp/<platform>` packages. */
export type GgmlFlavor = 'cpu' | 'cuda' | 'vulkan' | 'metal';

/** A folder with prebuilt ggml libraries. */
export interface GgmlBinaries {
  /** The npm package providing them. */
  packageName: string;
  /** Which build it is. */
  flavor: GgmlFlavor;
  /** Folder holding `libggml*`. */
  dir: string;
  /** Path of `libggml` (the registry library, which links `libggml-base`). */
  ggmlPath: string;
}

/** Resolves an installed package's root folder, or `undefined` when it is not installed (injectable for tests). */
export type PackageResolver = (specifier: string) => string | undefined;

/** The default {@link PackageResolver}: `createRequire` from this package, then up to the folder of `package.json`. */
export const defaultPackageResolver: PackageResolver = (specifier) => {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(specifier);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bins'))) return dir;
  }
  return undefined;
};

/** Candidate packages for a platform, best first: `[name, flavor]`. */
export function binaryPackages(platform: string, arch: string): Array<[string, GgmlFlavor]> {
  const base = `@node-llama-cpp/${platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : platform}-${arch}`;
  if (platform === 'darwin')
    return arch === 'arm64'
      ? [
          [`${base}-metal`, 'metal'],
          [base, 'cpu'],
        ]
      : [[base, 'cpu']];
  return [
    [`${base}-cuda`, 'cuda'],
    [`${base}-vulkan`, 'vulkan'],
    [base, 'cpu'],
  ];
}

/** Finds the `libggml` file in a bins folder (its name carries a version, e.g. `libggml.v0.5.0.so`). */
export function findGgmlLibrary(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((f) => /^(lib)?ggml(\.v[\d.]+)?\.(so|dylib|dll)$/.test(f));
  return name === undefined ? undefined : join(dir, name);
}

/** Installed ggml builds for this platform, best first (GPU flavours before CPU). */
export function locateBinaries(options: { platform?: string; arch?: string; resolve?: PackageResolver } = {}): GgmlBinaries[] {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const resolve = options.resolve ?? defaultPackageResolver;
  const found: GgmlBinaries[] = [];
  for (const [packageName, flavor] of binaryPackages(platform, arch)) {
    const pkg = resolve(packageName);
    if (!pkg) continue;
    const root = join(pkg, 'bins');
    const sub = existsSync(root) ? readdirSync(root).find((d) => findGgmlLibrary(join(root, d))) : undefined;
    const dir = sub === undefined ? undefined : join(root, sub);
    const ggmlPath = dir === undefined ? undefined : findGgmlLibrary(dir);
    if (dir && ggmlPath) found.push({ packageName, flavor, dir, ggmlPath });
  }
  return found;
}
