// Node module hooks for the examples and benchmarks: `.ts` files are transpiled with the workspace's TypeScript (types stripped, not
// checked; `pnpm lint` checks them), and a relative `./x.js` specifier falls back to `./x.ts`, as in the sources.
// Transpiled files are cached by content hash in the OS temp folder, so only the first run pays for transpiling.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const TS_VERSION = require('typescript/package.json').version;
const CACHE_DIR = join(tmpdir(), `pio-ts-${TS_VERSION}`);
let ts; // loaded on the first cache miss
mkdirSync(CACHE_DIR, { recursive: true });

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (relative && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const cached = join(CACHE_DIR, `${createHash('sha256').update(url).update('\0').update(source).digest('hex')}.js`);
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // not cached yet
  }
  ts ??= (await import('typescript')).default;
  const { outputText } = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  const temporary = `${cached}.${process.pid}.tmp`;
  await writeFile(temporary, outputText);
  await rename(temporary, cached); // atomic: concurrent runs never read half a file
  return { format: 'module', source: outputText, shortCircuit: true };
}
