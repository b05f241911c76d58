// Bundles bench/glm-flash-bench.ts with esbuild (workspace sources through the `@pio/source` condition; the tfjs
// and ggml native packages stay external and resolve through node_modules links), then runs
// one process per part x engine x storage so that each RSS figure belongs to one configuration.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '.build');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
// The bundle's externals resolve from .build/node_modules: tfjs from @pio/backend-tfjs, koffi and the ggml binaries
// from @pio/backend-ggml.
mkdirSync(join(outDir, 'node_modules'));
symlinkSync(join(here, '..', '..', 'backend-tfjs', 'node_modules', '@tensorflow'), join(outDir, 'node_modules', '@tensorflow'), 'dir');
for (const name of ['koffi', '@node-llama-cpp']) {
  try {
    symlinkSync(join(here, '..', '..', 'backend-ggml', 'node_modules', name), join(outDir, 'node_modules', name), 'dir');
  } catch {
    // optional: without them the ggml engine reports itself unavailable
  }
}
const outfile = join(outDir, 'glm-flash-bench.mjs');
// esbuild is this package's devDependency (pnpm links no root node_modules/.bin/esbuild): its JS API bundles in-process
const { build } = await import('esbuild');
await build({
  entryPoints: [join(here, 'glm-flash-bench.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@pio/source'],
  external: ['@tensorflow/*', 'koffi', '@node-llama-cpp/*'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
const list = (value, fallback) => (value ?? fallback).split(',').filter(Boolean);
const parts = list(process.env.BENCH_PARTS, 'layer,model');
const engines = list(process.env.BENCH_ENGINES, 'wasm,js');
const storages = list(process.env.BENCH_STORAGES, 'bfloat16,int8,int4');
// the checkpoints are written (once) by a process of their own, so no measured process ever held random host tensors
const written = spawnSync(process.execPath, ['--max-old-space-size=16384', outfile], {
  env: { ...process.env, BENCH_PARTS: parts.join(','), BENCH_WRITE_ONLY: '1', BENCH_HEADER: '0' },
  stdio: 'inherit',
});
if (written.status !== 0) process.exit(written.status ?? 1);
let first = true;
for (const part of parts) {
  for (const engine of engines) {
    for (const storage of storages) {
      const env = { ...process.env, BENCH_PARTS: part, BENCH_ENGINES: engine, BENCH_STORAGES: storage, BENCH_HEADER: first ? '1' : '0' };
      first = false;
      const result = spawnSync(process.execPath, ['--max-old-space-size=16384', outfile], { env, stdio: 'inherit' });
      if (result.status !== 0) {
        process.stdout.write(`| ${part} | ${engine} | ${storage} | failed (exit ${result.status}, see stderr) |\n`);
        process.exitCode = 1;
      }
    }
  }
}
