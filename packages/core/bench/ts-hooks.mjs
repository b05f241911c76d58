// Node module hooks for the benchmark: strip types from `.ts` files with the workspace's TypeScript (no type
// checking) and map the sources' `./x.js` specifiers to `./x.ts` when only the TypeScript file exists.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (/^\.\.?\//.test(specifier) && specifier.endsWith('.js')) return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  return { format: 'module', source: ts.transpileModule(source, { fileName: url, compilerOptions: options }).outputText, shortCircuit: true };
}
