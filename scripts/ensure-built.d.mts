/** True when the package folder's dist/index.js exists and is newer than its sources and build config. */
export function isFresh(folder: string): boolean;
/** The workspace package folders with a build script. */
export function buildablePackages(): string[];
/** Builds the stale ones among `folders` (default: every package) in dependency order; returns the folders built. */
export function ensureBuilt(folders?: readonly string[], onBuild?: (stale: string[]) => void): string[];
