#!/usr/bin/env node
// Packs every publishable package of a checkout into dist-packages/ (building what is stale first) and prints the
// npm install line that installs them into another project: the way to use PIO before its first release on npm.
// Usage: node scripts/pack-all.mjs [out-folder]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBuilt } from './ensure-built.mjs';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const out = resolve(process.argv[2] ?? join(ROOT, 'dist-packages'));
ensureBuilt(undefined, (stale) => process.stderr.write(`building ${stale.join(', ')}...\n`));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const tarballs = [];
for (const folder of readdirSync(join(ROOT, 'packages')).sort()) {
  const file = join(ROOT, 'packages', folder, 'package.json');
  if (!existsSync(file) || JSON.parse(readFileSync(file, 'utf8')).private) continue;
  // pnpm pack rewrites workspace: ranges to the real versions, as pnpm publish does
  const printed = execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: join(ROOT, 'packages', folder), encoding: 'utf8' });
  const tarball = printed
    .trim()
    .split('\n')
    .filter((line) => line.endsWith('.tgz'))
    .at(-1);
  if (tarball) tarballs.push(resolve(out, tarball));
}
// absolute paths: the line is run in another project's folder
console.log(`Packed ${tarballs.length} packages into ${out}. In your project, install the ones you use, e.g.:`);
console.log(`  npm install ${tarballs.join(' ')}`);
