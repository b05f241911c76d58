#!/usr/bin/env node
// Builds the workspace packages whose dist is missing or older than their sources, once, and nothing else.
// Used by the end-to-end tests (they run the built `pio`) and by `pnpm pio`, so a fresh clone needs no `pnpm build`
// before `pnpm test` or the README's main command. Concurrent callers (parallel test files) wait on a lock folder and
// then find the packages fresh. Usage: node scripts/ensure-built.mjs [--quiet] [package-folder...]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = join(ROOT, 'packages');
const LOCK = join(ROOT, 'node_modules', '.pio-build-lock');
/** A lock folder older than this is left over from a killed build. */
const STALE_LOCK_MS = 15 * 60_000;

/** Newest modification time (ms) of the build inputs under `dir`: sources, not tests or fixtures. */
function newestInput(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '__fixtures__' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestInput(path));
    else if (!/\.test\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when `folder`'s dist/index.js exists and is newer than its sources, package.json and build config. */
export function isFresh(folder) {
  const dir = join(PACKAGES, folder);
  const out = join(dir, 'dist', 'index.js');
  if (!existsSync(out)) return false;
  const inputs = ['package.json', 'tsup.config.ts', 'tsconfig.json'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  const newest = Math.max(newestInput(join(dir, 'src')), ...inputs.map((f) => statSync(f).mtimeMs));
  return statSync(out).mtimeMs >= newest;
}

/** The workspace package folders with a build script. */
export function buildablePackages() {
  return readdirSync(PACKAGES)
    .filter((folder) => existsSync(join(PACKAGES, folder, 'tsup.config.ts')))
    .sort();
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquireLock() {
  for (;;) {
    try {
      mkdirSync(LOCK, { recursive: false });
      return;
    } catch (error) {
      if (error.code === 'ENOENT') mkdirSync(dirname(LOCK), { recursive: true });
      else if (error.code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // removed by its owner meanwhile
      }
      sleep(500);
    }
  }
}

/**
 * Builds the stale ones among `folders` (default: every package), in dependency order, with `pnpm run build`.
 * Returns the folders it built. `onBuild` is told before a build starts (the CLI wrapper prints it).
 */
export function ensureBuilt(folders = buildablePackages(), onBuild = () => {}) {
  if (folders.every(isFresh)) return [];
  acquireLock();
  try {
    const stale = folders.filter((folder) => !isFresh(folder));
    if (stale.length === 0) return [];
    onBuild(stale);
    const filters = stale.flatMap((folder) => ['--filter', `./packages/${folder}`]);
    try {
      execFileSync('pnpm', [...filters, 'run', 'build'], { cwd: ROOT, stdio: 'pipe', maxBuffer: 64 << 20 });
    } catch (error) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
      throw new Error(`building ${stale.join(', ')} failed:\n${output || error.message}`);
    }
    return stale;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const folders = args.filter((a) => !a.startsWith('--'));
  const started = Date.now();
  const built = ensureBuilt(folders.length > 0 ? folders : undefined, (stale) => {
    if (!quiet) process.stderr.write(`building ${stale.join(', ')} (once, until their sources change)...\n`);
  });
  if (built.length > 0 && !quiet) process.stderr.write(`built in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
