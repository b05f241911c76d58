import type { PluginManifest } from './plugin-manifest.js';

/** An installed plugin package, found by discovery (its code is not imported yet). */
export interface PluginPackage {
  /** npm package name, e.g. `@pio/plugin-qwen3-vl`. */
  readonly packageName: string;
  /** npm package version. */
  readonly version: string;
  /** Real path of the package folder (symlinks resolved). */
  readonly packageDir: string;
  /** Path of its package.json. */
  readonly manifestPath: string;
  /** The validated `pio` field. */
  readonly manifest: PluginManifest;
}
